import { describe, expect, it } from 'vitest';
import { admitOnSecondSet } from './admission.ts';
import { createMemoryCache } from './memory-cache.ts';

describe('[REQ-KER-022] cache admission: stored on the second computation', () => {
  it('[REQ-KER-022] a first set is remembered, not stored; the second is stored', async () => {
    const memory = createMemoryCache(1024 * 1024);
    const cache = admitOnSecondSet(memory);
    await cache.set('catalog:a', 'first', 60);
    expect(await cache.get('catalog:a')).toBeUndefined();
    expect(memory.bytes).toBe(0);
    await cache.set('catalog:a', 'second', 60);
    expect(await cache.get('catalog:a')).toBe('second');
    expect(memory.bytes).toBeGreaterThan(0);
  });

  it('[REQ-KER-022] a key once stored is stored again at once after a drop', async () => {
    const cache = admitOnSecondSet(createMemoryCache(1024 * 1024));
    await cache.set('catalog:a', 'v1', 60);
    await cache.set('catalog:a', 'v1', 60);
    await cache.delPrefix('catalog:');
    expect(await cache.get('catalog:a')).toBeUndefined();
    await cache.set('catalog:a', 'v2', 60);
    expect(await cache.get('catalog:a')).toBe('v2');
  });

  it('[REQ-KER-022] only the last `window` keys are remembered: a flood of new keys stores nothing', async () => {
    const memory = createMemoryCache(1024 * 1024);
    const cache = admitOnSecondSet(memory, 3);
    for (let i = 0; i < 1000; i++) await cache.set(`catalog:${i}`, 'x'.repeat(1000), 60);
    expect(memory.bytes).toBe(0);
    await cache.set('catalog:a', 'a', 60);
    for (const k of ['b', 'c', 'd']) await cache.set(`catalog:${k}`, k, 60);
    await cache.set('catalog:a', 'a', 60); // forgotten: four other keys came after it
    expect(await cache.get('catalog:a')).toBeUndefined();
    await cache.set('catalog:d', 'd', 60); // remembered
    expect(await cache.get('catalog:d')).toBe('d');
  });
});
