// TypeBox schemas for the identity routes: one schema drives validation, serialisation and OpenAPI.
import { type TSchema, Type } from 'typebox';
import { problemResponse } from '../../platform/http/problem.ts';
import { Count, CountryCode, DateTime, Id, Int, List, Text, Token } from '../../platform/http/schema-helpers.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Surrounding spaces are allowed: the email is trimmed and lower-cased before use. */
export const Email = Type.String({
  pattern: '^\\s*[^@\\s]+@[^@\\s]+\\.[^@\\s]+\\s*$',
  maxLength: 254,
  examples: ['ada@example.com'],
});
export const Password = Type.String({ minLength: 1, maxLength: 256, examples: ['correct horse battery staple'] });

export const PublicUserSchema = Type.Object({
  id: Id({ examples: ['usr_01jd0v9k7m3q2c8f6h4n5p7r9t'] }),
  email: Text(320),
  name: Nullable(Text(200)),
});

export const AuthResultSchema = Type.Object({
  user: PublicUserSchema,
  accessToken: Token(4000, { description: 'EdDSA JWT; send as Authorization: Bearer' }),
  refreshToken: Token(200, { description: 'Opaque, single use; rotated on every refresh' }),
  expiresIn: Count({ description: 'Seconds until the access token expires', examples: [900] }),
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
  id: Id(),
  email: Text(320),
  name: Nullable(Text(200)),
  phone: Nullable(Text(40)),
  emailVerified: Type.Boolean(),
  roles: List(Text(100), 100),
  createdAt: DateTime(),
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
  country: CountryCode({
    pattern: '^[A-Za-z]{2}$',
    description: 'ISO 3166-1 alpha-2 country code; only assigned codes, lower case taken and stored upper case',
  }),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
};
export const AddressBody = Type.Object(addressFields, { additionalProperties: false });
export const AddressPatch = Type.Partial(Type.Object(addressFields), { additionalProperties: false, minProperties: 1 });
export const AddressSchema = Type.Object({
  id: Id(),
  name: Text(200),
  line1: Text(200),
  line2: Nullable(Text(200)),
  city: Text(100),
  region: Nullable(Text(100)),
  postalCode: Text(20),
  country: Text(2),
  phone: Nullable(Text(40)),
});
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const JwksSchema = Type.Object({
  keys: List(Type.Object({}, { additionalProperties: true }), 20),
});

/** The GDPR export document; `modules` is each module's section schema (platform/privacy/export.ts). */
export const exportSchema = (modules: TSchema) =>
  Type.Object({
    schemaVersion: Int(1, 1000, { examples: [1] }),
    exportedAt: DateTime(),
    profile: MeSchema,
    addresses: List(AddressSchema, 1000),
    sessions: List(
      Type.Object({
        id: Id(),
        createdAt: Text(40),
        ip: Nullable(Text(100)),
        userAgent: Nullable(Text(1000)),
        revokedAt: Nullable(Text(40)),
      }),
      100_000,
    ),
    securityEvents: List(Type.Object({ at: Text(40), action: Text(100), ip: Nullable(Text(100)) }), 100_000),
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
