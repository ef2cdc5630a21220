// TypeBox schemas of the staff inventory API (validation, serialisation and OpenAPI in one).
import { Type } from 'typebox';
import { CountryCode, DateTime, Id, Integer, List, Text } from '../../platform/http/schema-helpers.ts';

/** The variant id as the caller sent it (stock is kept for any id the catalog may create). */
const EchoedVariantId = Text(100, { examples: ['var_01jd5x8m3q7v2k9t4r6w1y0zab'] });

export const WarehouseSchema = Type.Object(
  {
    id: Id({ examples: ['wh_01jd5x8m3q7v2k9t4r6w1y0zab'] }),
    name: Text(200, { examples: ['Berlin DC'] }),
    country: Text(2, { description: 'ISO 3166-1 alpha-2', examples: ['DE'] }),
    priority: Integer({ description: 'Higher ships first', examples: [10] }),
    active: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const WarehouseListSchema = Type.Object({ items: List(WarehouseSchema) });

export const CreateWarehouseBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, examples: ['Berlin DC'] }),
    country: CountryCode(),
    priority: Type.Optional(Integer({ minimum: -1000, maximum: 1000, default: 0 })),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

export const LevelSchema = Type.Object({
  warehouseId: Id(),
  onHand: Integer({ examples: [12] }),
  reserved: Integer({ examples: [2] }),
  available: Integer({ description: 'onHand − reserved (negative while backordered)', examples: [10] }),
});

export const VariantLevelsSchema = Type.Object({
  variantId: EchoedVariantId,
  levels: List(LevelSchema),
});

export const VariantParams = Type.Object({ variantId: Type.String({ minLength: 1, maxLength: 100 }) });

export const AdjustmentBody = Type.Object(
  {
    variantId: Type.String({ minLength: 1, maxLength: 100 }),
    warehouseId: Type.String({ minLength: 1, maxLength: 100 }),
    quantity: Integer({
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
  variantId: EchoedVariantId,
  warehouseId: Id(),
  onHand: Integer(),
  reserved: Integer(),
  available: Integer(),
});

export const PolicyBody = Type.Object(
  {
    mode: Type.Union([Type.Literal('tracked'), Type.Literal('untracked'), Type.Literal('backorder')]),
    backorderLimit: Type.Optional(Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
    lowStockThreshold: Type.Optional(Type.Union([Integer({ minimum: 0, maximum: 1_000_000 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const PolicySchema = Type.Object({
  variantId: EchoedVariantId,
  mode: Text(),
  backorderLimit: Integer(),
  lowStockThreshold: Type.Union([Integer(), Type.Null()]),
});

const Cursor = Type.Optional(
  Type.String({ minLength: 1, maxLength: 100, description: 'nextCursor of the previous page' }),
);
const PageLimit = Type.Optional(Integer({ minimum: 1, maximum: 100, default: 50 }));

export const MovementQuery = Type.Object(
  {
    warehouseId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only this warehouse' })),
    cursor: Cursor,
    limit: PageLimit,
  },
  { additionalProperties: false },
);

export const MovementSchema = Type.Object({
  id: Id({ examples: ['mov_01jd5x8m3q7v2k9t4r6w1y0zab'] }),
  variantId: EchoedVariantId,
  warehouseId: Id({ examples: ['wh_01jd5x8m3q7v2k9t4r6w1y0zab'] }),
  kind: Text(20, { description: 'receive, adjust, count, damage or commit (a sale)', examples: ['receive'] }),
  quantity: Integer({ description: 'Signed change of on hand', examples: [5] }),
  requested: Integer({ description: 'What was asked: the change, or the counted quantity for count', examples: [5] }),
  reason: Text(500, { examples: ['PO-1042'] }),
  actor: Text(200, { description: 'Who recorded it', examples: ['staff:usr_01jd5x8m3q7v2k9t4r6w1y0zab'] }),
  createdAt: DateTime(),
});

export const MovementPageSchema = Type.Object({
  items: List(MovementSchema, 100),
  nextCursor: Type.Union([Text(100), Type.Null()]),
});

export const LowStockQuery = Type.Object({ cursor: Cursor, limit: PageLimit }, { additionalProperties: false });

export const LowStockSchema = Type.Object({
  variantId: EchoedVariantId,
  onHand: Integer({ examples: [3] }),
  reserved: Integer({ examples: [1] }),
  available: Integer({ description: 'Sellable over active warehouses', examples: [2] }),
  threshold: Integer({ description: "The variant's low-stock threshold (its policy)", examples: [5] }),
});

export const LowStockPageSchema = Type.Object({
  items: List(LowStockSchema, 100),
  nextCursor: Type.Union([Text(100), Type.Null()]),
});
