// Lists as real tables (caption, column headers) through TanStack Table.
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';

export function DataTable<T>(props: {
  caption: string;
  data: T[];
  // biome-ignore lint/suspicious/noExplicitAny: TanStack's column list mixes value types per column.
  columns: ColumnDef<T, any>[];
  empty: string;
}) {
  const table = useReactTable({ data: props.data, columns: props.columns, getCoreRowModel: getCoreRowModel() });
  return (
    <div className="table-wrap">
      <table>
        <caption>{props.caption}</caption>
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              {g.headers.map((h) => (
                <th key={h.id} scope="col">
                  {flexRender(h.column.columnDef.header, h.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length}>{props.empty}</td>
            </tr>
          ) : (
            table.getRowModel().rows.map((r) => (
              <tr key={r.id}>
                {r.getVisibleCells().map((c) => (
                  <td key={c.id}>{flexRender(c.column.columnDef.cell, c.getContext())}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
