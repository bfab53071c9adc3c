import * as vega from 'vega';

// bench/results.svg: throughput per scenario, Broadsheet beside the baseline, p99 on each bar.
// Rendered headless by Vega (no browser).

interface Row {
  scenario: string;
  broadsheet: { rps: number; p99: number };
  baseline: { rps: number; p99: number } | null;
}

export async function renderChart(results: Row[]): Promise<string> {
  const values = results.flatMap((row) => [
    {
      scenario: row.scenario,
      series: 'Broadsheet',
      rps: Math.round(row.broadsheet.rps),
      p99: row.broadsheet.p99,
    },
    ...(row.baseline === null
      ? []
      : [
          {
            scenario: row.scenario,
            series: 'Baseline',
            rps: Math.round(row.baseline.rps),
            p99: row.baseline.p99,
          },
        ]),
  ]);
  const spec: vega.Spec = {
    width: 560,
    height: 34 * results.length,
    padding: 12,
    title: { text: 'Broadsheet vs baseline: requests/s (median), p99 latency on each bar' },
    data: [{ name: 'table', values }],
    scales: [
      {
        name: 'y',
        type: 'band',
        domain: { data: 'table', field: 'scenario' },
        range: 'height',
        padding: 0.2,
      },
      {
        name: 'x',
        type: 'linear',
        domain: { data: 'table', field: 'rps' },
        range: 'width',
        nice: true,
        zero: true,
      },
      {
        name: 'color',
        type: 'ordinal',
        domain: ['Broadsheet', 'Baseline'],
        range: ['#2563eb', '#9ca3af'],
      },
    ],
    axes: [
      { orient: 'left', scale: 'y', labelLimit: 180 },
      { orient: 'bottom', scale: 'x', title: 'requests per second', format: ',d' },
    ],
    legends: [{ fill: 'color', orient: 'bottom-right' }],
    marks: [
      {
        type: 'group',
        from: { facet: { data: 'table', name: 'facet', groupby: 'scenario' } },
        encode: { enter: { y: { scale: 'y', field: 'scenario' } } },
        signals: [{ name: 'band', update: "bandwidth('y')" }],
        scales: [
          {
            name: 'position',
            type: 'band',
            range: { signal: '[0, band]' },
            domain: { data: 'facet', field: 'series' },
          },
        ],
        marks: [
          {
            name: 'bars',
            type: 'rect',
            from: { data: 'facet' },
            encode: {
              enter: {
                y: { scale: 'position', field: 'series' },
                height: { scale: 'position', band: 1 },
                x: { scale: 'x', field: 'rps' },
                x2: { scale: 'x', value: 0 },
                fill: { scale: 'color', field: 'series' },
              },
            },
          },
          {
            type: 'text',
            from: { data: 'bars' },
            encode: {
              enter: {
                x: { field: 'x2', offset: 4 },
                y: { field: 'y', offset: { field: 'height', mult: 0.5 } },
                baseline: { value: 'middle' },
                fontSize: { value: 9 },
                text: {
                  signal:
                    "format(datum.datum.rps, ',d') + ' req/s · p99 ' + datum.datum.p99 + ' ms'",
                },
              },
            },
          },
        ],
      },
    ],
  };
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  return view.toSVG();
}
