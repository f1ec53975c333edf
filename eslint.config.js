import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', '.kafka/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // house rule: only src/kafka/ talks to librdkafka
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/kafka/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'node-rdkafka', message: 'only src/kafka/ may import node-rdkafka' }] }],
    },
  },
  {
    // the HTTP layer decides on a KafkaError's kind, never on librdkafka's codes (error-map.ts)
    files: ['src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'node-rdkafka', message: 'only src/kafka/ may import node-rdkafka' }],
          patterns: [{ group: ['**/kafka/error-map.js'], message: "decide on KafkaError's kind (errors.ts), not on librdkafka's codes" }],
        },
      ],
    },
  },
  {
    // a function longer than a screen is asking for names for its parts
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: { 'max-lines-per-function': ['error', { max: 80 }] },
  },
  {
    // nothing below commands/ reads process.env or exits: cli.ts is the one place
    files: ['src/**/*.ts'],
    ignores: ['src/cli.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'take configuration from the resolved settings' },
        { object: 'process', property: 'exit', message: 'return an exit code; cli.ts exits' },
      ],
    },
  },
);
