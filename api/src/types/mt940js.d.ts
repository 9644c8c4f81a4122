// mt940js ships no types: the part of its API that statement-files.ts uses (see its README).
declare module 'mt940js' {
  export interface Transaction {
    date: Date;
    amount: number;
    currency: string;
    details: string;
    reference: string;
    bankReference?: string;
    structuredDetails?: Record<string, string>;
  }
  export interface Statement {
    currency: string;
    transactions: Transaction[];
  }
  class Parser {
    parse(data: string, withTags?: boolean): Statement[];
  }
  const mt940: { Parser: typeof Parser };
  export default mt940;
}
