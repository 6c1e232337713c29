import { reactStop } from './react.prompt';

describe('reactStop', () => {
  it("keeps ReAct's stop sequence first, within OpenAI's four", () => {
    expect(reactStop(undefined)).toEqual(['Observation:']);
    expect(reactStop('END')).toEqual(['Observation:', 'END']);
    expect(reactStop(['a', 'b', 'c', 'd'])).toEqual(['Observation:', 'a', 'b', 'c']);
    expect(reactStop(['Observation:', 'x', 7])).toEqual(['Observation:', 'x']);
  });
});
