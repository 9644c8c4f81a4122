// The templates module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export {
  Template,
  TemplateContent,
  TemplateDeleted,
  TemplateParams,
  TemplatePreview,
  TemplatePreviewRequest,
  SmsPreview,
} from './template.schemas.ts';
export {
  createTemplateService,
  hasTextMessage,
  measureSms,
  type ResolvedTemplate,
  resolveTemplate,
} from './template.service.ts';
