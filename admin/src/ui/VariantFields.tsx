// One variant's fields in a product form: SKU, option, and a price per currency (add or remove currencies).
import { type Control, type FieldErrors, type UseFormRegister, useFieldArray } from 'react-hook-form';
import type { ProductValues } from '../pages/product-form.ts';
import { Field } from './kit.tsx';

type Path = `variants.${number}`;

export function VariantFields(props: {
  index: number;
  control: Control<ProductValues>;
  register: UseFormRegister<ProductValues>;
  errors: FieldErrors<ProductValues>;
  onRemove?: (() => void) | undefined;
}) {
  const base: Path = `variants.${props.index}`;
  const prices = useFieldArray({ control: props.control, name: `${base}.prices` });
  const err = props.errors.variants?.[props.index];
  const n = props.index + 1;
  return (
    <fieldset className="variant">
      <legend>Variant {n}</legend>
      <div className="row">
        <Field label={`SKU (variant ${n})`} error={err?.sku?.message}>
          {(a) => <input {...a} {...props.register(`${base}.sku`, { required: 'Enter a SKU.' })} />}
        </Field>
        <Field label={`Option (variant ${n})`} hint="For example Size: M" error={err?.option?.message}>
          {(a) => <input {...a} {...props.register(`${base}.option`)} />}
        </Field>
      </div>
      {prices.fields.map((f, i) => (
        <div className="row" key={f.id}>
          <Field label={`Currency (variant ${n}, price ${i + 1})`} error={err?.prices?.[i]?.currency?.message}>
            {(a) => (
              <input {...a} maxLength={3} className="short" {...props.register(`${base}.prices.${i}.currency`)} />
            )}
          </Field>
          <Field label={`Amount (variant ${n}, price ${i + 1})`} error={err?.prices?.[i]?.amount?.message}>
            {(a) => <input {...a} inputMode="decimal" {...props.register(`${base}.prices.${i}.amount`)} />}
          </Field>
          <button type="button" onClick={() => prices.remove(i)} aria-label={`Remove price ${i + 1} of variant ${n}`}>
            Remove price
          </button>
        </div>
      ))}
      <div className="actions">
        <button type="button" onClick={() => prices.append({ currency: '', amount: '' })}>
          Add a currency
        </button>
        {props.onRemove ? (
          <button type="button" onClick={props.onRemove}>
            Remove variant {n}
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}
