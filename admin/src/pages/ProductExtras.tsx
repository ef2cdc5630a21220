// A product's categories (assign existing ones, create a new one) and images by URL, saved with the product's
// version (If-Match) like its other details.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { imageUrls } from '../lib/gaps.ts';
import { problemMessage } from '../lib/problem.ts';
import { Done, Field, ProblemNote } from '../ui/kit.tsx';

interface ProductLike {
  id: string;
  version: number;
  images: string[];
  categories: { id: string; name: string }[];
}

export function ProductExtras({ product }: { product: ProductLike }) {
  const qc = useQueryClient();
  const [chosen, setChosen] = useState(() => new Set(product.categories.map((c) => c.id)));
  const [images, setImages] = useState(product.images.join('\n'));
  const [imageError, setImageError] = useState<string>();
  const [newName, setNewName] = useState('');
  const [newSlug, setNewSlug] = useState('');
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const categories = useQuery({
    queryKey: ['categories'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/categories');
      if (!data) throw error;
      return data.items;
    },
  });
  const save = useMutation({
    mutationFn: async (body: { categoryIds: string[]; images: string[] }) =>
      api.PATCH('/v1/products/{id}', {
        params: { path: { id: product.id }, header: { 'if-match': `"${product.version}"` } },
        body,
      }),
    onSuccess: ({ data, error }) => {
      if (!data) return setProblem(problemMessage(error));
      qc.setQueryData(['product', product.id], data);
      void qc.invalidateQueries({ queryKey: ['products'] });
      setDone('Categories and images saved.');
    },
  });
  const create = useMutation({
    mutationFn: async () => api.POST('/v1/categories', { body: { name: newName.trim(), slug: newSlug.trim() } }),
    onSuccess: ({ data, error }) => {
      if (!data) return setProblem(problemMessage(error));
      setChosen((s) => new Set([...s, data.id]));
      setNewName('');
      setNewSlug('');
      setDone(`Category ${data.name} created; save to assign it.`);
      void qc.invalidateQueries({ queryKey: ['categories'] });
    },
  });
  const toggle = (id: string, on: boolean) =>
    setChosen((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const previews = imageUrls(images).urls;
  return (
    <section className="stack" aria-labelledby="extras-title">
      <h2 id="extras-title">Categories and images</h2>
      <fieldset>
        <legend>Categories</legend>
        {(categories.data ?? []).length === 0 ? <p>No categories yet.</p> : null}
        <div className="checks">
          {(categories.data ?? []).map((c) => (
            <label key={c.id} className="check">
              <input type="checkbox" checked={chosen.has(c.id)} onChange={(e) => toggle(c.id, e.target.checked)} />
              {c.name}
            </label>
          ))}
        </div>
      </fieldset>
      <form
        className="inline"
        aria-label="Create a category"
        onSubmit={(e) => {
          e.preventDefault();
          setProblem(undefined);
          setDone(undefined);
          create.mutate();
        }}
      >
        <label htmlFor="new-category-name">New category name</label>
        <input id="new-category-name" value={newName} onChange={(e) => setNewName(e.target.value)} />
        <label htmlFor="new-category-slug">Its slug</label>
        <input id="new-category-slug" value={newSlug} onChange={(e) => setNewSlug(e.target.value)} />
        <button type="submit">Create category</button>
      </form>
      <Field label="Image URLs" hint="One https URL per line" error={imageError}>
        {(a) => <textarea rows={3} {...a} value={images} onChange={(e) => setImages(e.target.value)} />}
      </Field>
      {previews.length ? (
        <ul className="thumbs" aria-label="Images">
          {previews.map((u, i) => (
            <li key={u}>
              <img src={u} alt={`Product view ${i + 1}`} width={96} height={96} />
            </li>
          ))}
        </ul>
      ) : null}
      <ProblemNote message={problem} />
      <Done message={done} />
      <button
        type="button"
        className="primary"
        onClick={() => {
          setProblem(undefined);
          setDone(undefined);
          const parsed = imageUrls(images);
          setImageError(parsed.error);
          if (parsed.error) return;
          save.mutate({ categoryIds: [...chosen], images: parsed.urls });
        }}
      >
        Save categories and images
      </button>
    </section>
  );
}
