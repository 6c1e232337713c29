/** One sample of the Prometheus text format: `name{label="value",…} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the exposition format strictly enough to fail on malformed output: every non-comment
 * line must be a sample, and every sample's family must have been declared with # TYPE.
 */
export function parsePrometheusText(text: string): Sample[] {
  const declared = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      declared.add(type[1]);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    // Values are Go floats: NaN and Inf in any letter case (prom-client writes "Nan").
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|[+-]?[Ii]nf)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const family = m[1].replace(/_(bucket|sum|count|total)$/, '');
    if (!declared.has(m[1]) && !declared.has(family) && !declared.has(`${family}_total`)) {
      throw new Error(`sample of an undeclared metric: ${line}`);
    }
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1]] = pair[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

export function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found?.value ?? 0;
}
