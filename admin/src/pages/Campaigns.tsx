// Campaigns (a redemption limit shared by their promotions) with their usage: redemptions against the limit, and how
// many promotions each holds.
import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { api } from '../api/client.ts';
import { problemMessage } from '../lib/problem.ts';
import { campaignUsage } from '../lib/staff-gaps.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { ProblemNote } from '../ui/kit.tsx';

interface Campaign {
  id: string;
  name: string;
  usageLimit: number | null;
  redemptions: number;
  promotions: number;
}
const col = createColumnHelper<Campaign>();
const columns = [
  col.accessor('name', { header: 'Campaign' }),
  col.accessor('id', { header: 'Id' }),
  col.display({ id: 'usage', header: 'Usage', cell: (c) => campaignUsage(c.row.original) }),
  col.accessor('promotions', { header: 'Promotions' }),
];

export function Campaigns() {
  const list = useQuery({
    queryKey: ['campaigns'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/campaigns');
      if (!data) throw error;
      return data.items;
    },
  });
  return (
    <section aria-labelledby="campaigns-title" className="stack">
      <h2 id="campaigns-title">Campaigns</h2>
      <ProblemNote message={list.isError ? problemMessage(list.error) : undefined} />
      {list.data ? (
        <DataTable caption="Campaigns and their usage" data={list.data} columns={columns} empty="No campaigns yet." />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
    </section>
  );
}
