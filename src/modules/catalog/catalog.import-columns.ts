// The columns of a product import (POST /v1/admin/imports), one place for the route's OpenAPI description and the
// admin dashboard's import page (admin/src/pages/ProductImport.tsx bundles this file). No imports on purpose.

export const IMPORT_COLUMNS: readonly { name: string; meaning: string }[] = [
  {
    name: 'slug',
    meaning: 'the product (lower-case words joined by hyphens); rows with the same slug are its variants',
  },
  { name: 'name', meaning: "the product's name" },
  { name: 'brand', meaning: 'optional' },
  { name: 'description', meaning: 'optional' },
  { name: 'status', meaning: 'draft, published or archived (empty: published)' },
  { name: 'taxCategory', meaning: 'e.g. reduced (empty: unchanged)' },
  { name: 'categories', meaning: 'category slugs joined by |' },
  { name: 'sku', meaning: 'the variant (upserted by SKU)' },
  { name: 'barcode', meaning: 'optional' },
  { name: 'weightGrams', meaning: 'optional' },
  { name: 'cost', meaning: 'optional, minor units' },
  { name: 'attr:<name>', meaning: 'a variant attribute, e.g. attr:color' },
  { name: 'price:<CUR>', meaning: 'the price in that currency, in minor units (1999 = 19.99 EUR)' },
  { name: 'compareAt:<CUR>', meaning: 'optional compare-at price, minor units' },
];

export const IMPORT_DESCRIPTION =
  'One row per variant. CSV columns: slug, name, brand, description, status, taxCategory (empty: unchanged), ' +
  'categories (slugs joined by |), sku, ' +
  'barcode, weightGrams, cost, attr:<name>, price:<CUR>, compareAt:<CUR> (amounts in minor units). ' +
  'NDJSON: one object per line with the same fields (attributes as an object, prices as [{currency, amount, compareAt}]). ' +
  'Rows are applied in batches; row errors are reported and do not stop the import. ' +
  'While it runs, GET /v1/admin/imports shows it with status running and the rows applied so far.';

export const CSV_EXAMPLE = [
  'slug,name,status,categories,sku,attr:color,price:EUR,price:USD',
  'basic-tee,Basic Tee,published,shirts,TEE-BLK,black,1999,2199',
  'basic-tee,Basic Tee,published,shirts,TEE-WHT,white,1999,2199',
].join('\n');

export const NDJSON_EXAMPLE = [
  '{"slug":"basic-tee","name":"Basic Tee","status":"published","categories":["shirts"],"sku":"TEE-BLK","attributes":{"color":"black"},"prices":[{"currency":"EUR","amount":1999}]}',
  '{"slug":"basic-tee","name":"Basic Tee","status":"published","categories":["shirts"],"sku":"TEE-WHT","attributes":{"color":"white"},"prices":[{"currency":"EUR","amount":1999}]}',
].join('\n');
