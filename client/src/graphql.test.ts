import { expect, it } from 'vitest';
import { graphqlUrl } from './graphql.js';

it('takes the base URL or the /graphql URL', () => {
  expect(graphqlUrl('http://localhost:5000')).toBe('http://localhost:5000/graphql');
  expect(graphqlUrl('http://localhost:5000/')).toBe('http://localhost:5000/graphql');
  expect(graphqlUrl('https://jobs.example.com/graphql/')).toBe('https://jobs.example.com/graphql');
});
