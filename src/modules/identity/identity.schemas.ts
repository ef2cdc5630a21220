// TypeBox schemas for the identity routes: one schema drives validation, serialisation and OpenAPI.
import { type TSchema, Type } from 'typebox';
import { problemResponse } from '../../platform/http/problem.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Surrounding spaces are allowed: the email is trimmed and lower-cased before use. */
export const Email = Type.String({
  pattern: '^\\s*[^@\\s]+@[^@\\s]+\\.[^@\\s]+\\s*$',
  maxLength: 254,
  examples: ['ada@example.com'],
});
export const Password = Type.String({ minLength: 1, maxLength: 256, examples: ['correct horse battery staple'] });

export const PublicUserSchema = Type.Object({
  id: Type.String({ examples: ['usr_01jd0v9k7m3q2c8f6h4n5p7r9t'] }),
  email: Type.String(),
  name: Nullable(Type.String()),
});

export const AuthResultSchema = Type.Object({
  user: PublicUserSchema,
  accessToken: Type.String({ description: 'EdDSA JWT; send as Authorization: Bearer' }),
  refreshToken: Type.String({ description: 'Opaque, single use; rotated on every refresh' }),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires', examples: [900] }),
});

export const RegisterBody = Type.Object(
  { email: Email, password: Password, name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);
export const LoginBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const TokenBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const EmailBody = Type.Object({ email: Email }, { additionalProperties: false });
export const ResetConfirmBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }), password: Password },
  { additionalProperties: false },
);
export const Accepted = Type.Object({ accepted: Type.Boolean() });

export const MeSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  emailVerified: Type.Boolean(),
  roles: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
export const MePatch = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    phone: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: 40 }))),
  },
  { additionalProperties: false },
);

const addressFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  line1: Type.String({ minLength: 1, maxLength: 200 }),
  line2: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  city: Type.String({ minLength: 1, maxLength: 100 }),
  region: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  postalCode: Type.String({ minLength: 1, maxLength: 20 }),
  country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2', examples: ['DE'] }),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
};
export const AddressBody = Type.Object(addressFields, { additionalProperties: false });
export const AddressPatch = Type.Partial(Type.Object(addressFields), { additionalProperties: false, minProperties: 1 });
export const AddressSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  line1: Type.String(),
  line2: Nullable(Type.String()),
  city: Type.String(),
  region: Nullable(Type.String()),
  postalCode: Type.String(),
  country: Type.String(),
  phone: Nullable(Type.String()),
});
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const JwksSchema = Type.Object({
  keys: Type.Array(Type.Object({}, { additionalProperties: true })),
});

/** The GDPR export document; `modules` is each module's section schema (platform/privacy/export.ts). */
export const exportSchema = (modules: TSchema) =>
  Type.Object({
    schemaVersion: Type.Integer({ examples: [1] }),
    exportedAt: Type.String({ format: 'date-time' }),
    profile: MeSchema,
    addresses: Type.Array(AddressSchema),
    sessions: Type.Array(
      Type.Object({
        id: Type.String(),
        createdAt: Type.String(),
        ip: Nullable(Type.String()),
        userAgent: Nullable(Type.String()),
        revokedAt: Nullable(Type.String()),
      }),
    ),
    securityEvents: Type.Array(Type.Object({ at: Type.String(), action: Type.String(), ip: Nullable(Type.String()) })),
    modules,
  });

export const P = {
  400: problemResponse('Invalid input or token'),
  401: problemResponse('Missing, invalid or expired credentials'),
  403: problemResponse('The caller lacks the permission'),
  404: problemResponse('Not found (or not yours)'),
  409: problemResponse('Conflict'),
  422: problemResponse('Rejected by a business rule'),
  429: problemResponse('Too many attempts; see Retry-After'),
};
