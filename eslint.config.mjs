// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every service, by folder and package name (read from services/, so a new one is covered too). */
const SERVICES = readdirSync(path.join(import.meta.dirname, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => ({
    dir: entry.name,
    /** @type {string} */
    name: JSON.parse(
      readFileSync(path.join(import.meta.dirname, 'services', entry.name, 'package.json'), 'utf8'),
    ).name,
  }));

const LAB = {
  group: ['@recstream/lab', '@recstream/lab/*', '**/packages/lab/**', '**/lab/src/**'],
  message: 'Offline research (@recstream/lab) is never loaded by a service or a runtime package.',
};

/** @param {typeof SERVICES} services */
const servicesByName = (services, message) => ({
  group: services.flatMap((service) => [service.name, `${service.name}/*`]),
  message,
});

const SERVICE_SRC_BY_PATH = {
  group: ['**/services/*/src', '**/services/*/src/**'],
  message:
    "Reach a service through its package's exports (add a subpath to its package.json), never its src/ by relative path.",
};

/**
 * The layers, enforced rather than kept by habit: a package (and schemas) never imports a service;
 * a service never imports another service; nothing outside a service reaches into its src/ by a
 * relative path; research (@recstream/lab) stays out of services and runtime packages. One block
 * per set of files, because a later block's `no-restricted-imports` replaces an earlier one's.
 */
function boundaries() {
  const rule = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
  const noService = servicesByName(
    SERVICES,
    'A package never imports a service: move what both need into a package.',
  );
  const noServicePath = { group: ['**/services/**'], message: noService.message };
  return [
    {
      files: ['packages/**/*.ts', 'schemas/**/*.ts'],
      ignores: ['packages/lab/**'],
      rules: rule(noService, noServicePath, LAB),
    },
    { files: ['packages/lab/**/*.ts'], rules: rule(noService, noServicePath) },
    ...SERVICES.map((service) => {
      const others = SERVICES.filter((other) => other !== service);
      const message = 'A service never imports another service: share through a package or schemas.';
      return {
        files: [`services/${service.dir}/**/*.ts`],
        rules: rule(
          servicesByName(others, message),
          {
            group: others.flatMap((other) => [`**/services/${other.dir}/**`, `**/${other.dir}/src/**`]),
            message,
          },
          LAB,
        ),
      };
    }),
    {
      files: ['**/*.ts', '**/*.mjs'],
      ignores: ['services/**', 'packages/**', 'schemas/**'],
      rules: rule(SERVICE_SRC_BY_PATH),
    },
  ];
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.local/**', '**/dist/**', 'schemas/json/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Tests use tap's promise-returning assertions freely; command-line entry points may print.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['**/cli/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  ...boundaries(),
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
