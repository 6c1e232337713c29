import { slugOf, uniqueSlug } from './app-slug';

describe('app slugs (model ids)', () => {
  it.each([
    ['Support Bot (EN)', 'support-bot-en'],
    ['  Crème brûlée — recettes ', 'creme-brulee-recettes'],
    ['客服助手', 'app'],
    ['GPT-4o helper v2', 'gpt-4o-helper-v2'],
    ['---', 'app'],
    ['a'.repeat(80), 'a'.repeat(48)],
    [`${'x'.repeat(47)} tail`, 'x'.repeat(47)],
  ])('%j → %j', (name, slug) => {
    expect(slugOf(name)).toBe(slug);
  });

  it('numbers a taken slug from 2 on', () => {
    expect(uniqueSlug('bot', new Set())).toBe('bot');
    expect(uniqueSlug('bot', new Set(['bot']))).toBe('bot-2');
    expect(uniqueSlug('bot', new Set(['bot', 'bot-2', 'bot-3']))).toBe('bot-4');
  });
});
