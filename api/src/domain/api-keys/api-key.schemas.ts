import Type from 'typebox';
import { Id, Nullable, Timestamp } from '../shared/index.ts';

export const ApiKey = Type.Object(
  {
    id: Id('key'),
    object: Type.Literal('api_key'),
    name: Nullable(Type.String()),
    prefix: Type.String({ description: 'The first characters of the secret, to recognise the key.' }),
    read_only: Type.Boolean(),
    admin: Type.Boolean({
      description: "Whether the key may create and revoke keys and set the account's own sender.",
    }),
    created_at: Timestamp,
    last_used_at: Nullable(Timestamp),
    revoked_at: Nullable(Timestamp),
  },
  { $id: 'ApiKey', additionalProperties: false },
);
export type ApiKey = Type.Static<typeof ApiKey>;

export const ApiKeyCreate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    read_only: Type.Optional(Type.Boolean({ default: false })),
    admin: Type.Optional(
      Type.Boolean({
        default: false,
        description: "May create and revoke keys and set the account's own sender (not with `read_only`).",
      }),
    ),
  },
  { $id: 'ApiKeyCreate', additionalProperties: false },
);
export type ApiKeyCreate = Type.Static<typeof ApiKeyCreate>;

export const ApiKeyWithSecret = Type.Object(
  { ...ApiKey.properties, secret: Type.String({ description: 'Shown once, at creation. Store it safely.' }) },
  { $id: 'ApiKeyWithSecret', additionalProperties: false },
);
export type ApiKeyWithSecret = Type.Static<typeof ApiKeyWithSecret>;
