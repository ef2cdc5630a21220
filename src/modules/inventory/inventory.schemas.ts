// TypeBox schemas of the staff inventory API (validation, serialisation and OpenAPI in one).
import { Type } from 'typebox';

export const WarehouseSchema = Type.Object(
  {
    id: Type.String({ examples: ['wh_01jd5x8m3q7v2k9t4r6w1y0zab'] }),
    name: Type.String({ examples: ['Berlin DC'] }),
    country: Type.String({ description: 'ISO 3166-1 alpha-2', examples: ['DE'] }),
    priority: Type.Integer({ description: 'Higher ships first', examples: [10] }),
    active: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const WarehouseListSchema = Type.Object({ items: Type.Array(WarehouseSchema) });

export const CreateWarehouseBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, examples: ['Berlin DC'] }),
    country: Type.String({ pattern: '^[A-Z]{2}$', examples: ['DE'] }),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, default: 0 })),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

export const LevelSchema = Type.Object({
  warehouseId: Type.String(),
  onHand: Type.Integer({ examples: [12] }),
  reserved: Type.Integer({ examples: [2] }),
  available: Type.Integer({ description: 'onHand − reserved (negative while backordered)', examples: [10] }),
});

export const VariantLevelsSchema = Type.Object({
  variantId: Type.String({ examples: ['var_01jd5x8m3q7v2k9t4r6w1y0zab'] }),
  levels: Type.Array(LevelSchema),
});

export const VariantParams = Type.Object({ variantId: Type.String({ minLength: 1, maxLength: 100 }) });

export const AdjustmentBody = Type.Object(
  {
    variantId: Type.String({ minLength: 1, maxLength: 100 }),
    warehouseId: Type.String({ minLength: 1, maxLength: 100 }),
    quantity: Type.Integer({
      minimum: -1_000_000_000,
      maximum: 1_000_000_000,
      description: 'Signed change of on hand; for kind=count the counted quantity',
      examples: [5, -2],
    }),
    reason: Type.String({ minLength: 1, maxLength: 500, examples: ['cycle count correction'] }),
    kind: Type.Optional(
      Type.Union([Type.Literal('adjust'), Type.Literal('receive'), Type.Literal('damage'), Type.Literal('count')], {
        default: 'adjust',
        description: 'Ledger movement kind',
      }),
    ),
  },
  { additionalProperties: false },
);

export const AdjustedLevelSchema = Type.Object({
  variantId: Type.String(),
  warehouseId: Type.String(),
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer(),
});

export const PolicyBody = Type.Object(
  {
    mode: Type.Union([Type.Literal('tracked'), Type.Literal('untracked'), Type.Literal('backorder')]),
    backorderLimit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
    lowStockThreshold: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const PolicySchema = Type.Object({
  variantId: Type.String(),
  mode: Type.String(),
  backorderLimit: Type.Integer(),
  lowStockThreshold: Type.Union([Type.Integer(), Type.Null()]),
});
