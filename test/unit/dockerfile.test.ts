import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dockerignoreMatcher, hostPath, parseDockerfile } from '../support/dockerfile';

// The image test (test/image/) replays the Dockerfile with this parser: here, in the fast run, it
// must understand the real file and refuse what it cannot replay.

const read = (file: string) => readFileSync(path.join(__dirname, '../..', file), 'utf8');

describe('the Dockerfile parser of the image test', () => {
  it("understands the repository's Dockerfile", () => {
    const stages = parseDockerfile(read('Dockerfile'));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.at(-1)!.instructions.map((instruction) => instruction.kind)).toContain('ENTRYPOINT');
  });

  it('reads stages, multi-source and folder COPY, continued lines, ENV and exec-form commands', () => {
    const stages = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        'FROM node:24-bookworm-slim AS build',
        'WORKDIR /app',
        'COPY package.json package-lock.json ./',
        'RUN npm ci \\',
        '  # a comment inside the continued line',
        '  && npm run build',
        'COPY src src',
        '',
        'from node:24-bookworm-slim',
        'ENV NODE_ENV=production A=b=c',
        'COPY --from=build /app/dist dist',
        'USER node',
        'ENTRYPOINT ["node", "bin/sms-sync.js"]',
        'CMD ["worker"]',
      ].join('\n'),
    );
    expect(stages).toEqual([
      {
        line: 2,
        image: 'node:24-bookworm-slim',
        name: 'build',
        instructions: [
          { line: 3, kind: 'WORKDIR', path: '/app' },
          { line: 4, kind: 'COPY', sources: ['package.json', 'package-lock.json'], destination: './' },
          { line: 5, kind: 'RUN', command: 'npm ci  && npm run build' },
          { line: 8, kind: 'COPY', sources: ['src'], destination: 'src' },
        ],
      },
      {
        line: 10,
        image: 'node:24-bookworm-slim',
        instructions: [
          { line: 11, kind: 'ENV', variables: { NODE_ENV: 'production', A: 'b=c' } },
          { line: 12, kind: 'COPY', from: 'build', sources: ['/app/dist'], destination: 'dist' },
          { line: 13, kind: 'USER', user: 'node' },
          { line: 14, kind: 'ENTRYPOINT', args: ['node', 'bin/sms-sync.js'] },
          { line: 15, kind: 'CMD', args: ['worker'] },
        ],
      },
    ]);
  });

  it.each([
    ['an instruction it cannot replay', 'HEALTHCHECK CMD node -e 1', 'HEALTHCHECK is not understood'],
    ['a build argument', 'ARG NODE_MAJOR=24', 'ARG is not understood'],
    ['a COPY flag other than --from', 'COPY --chown=node src src', 'the COPY flag --chown=node is not understood'],
    ['a wildcard', 'COPY *.json ./', 'wildcards are not understood'],
    ['several sources into a file', 'COPY a b c', 'several sources need a destination ending in /'],
    ['a variable', 'WORKDIR $HOME', 'quotes, variables and escapes are not understood'],
    ['a RUN mount', 'RUN --mount=type=cache,target=/root/.npm npm ci', 'RUN flags'],
    ['a shell-form CMD', 'CMD node bin/sms-sync.js', 'only the exec (JSON array) form is understood'],
  ])('refuses %s, naming the line', (_what, instruction, why) => {
    expect(() => parseDockerfile(`FROM node:24\nWORKDIR /app\n${instruction}\n`)).toThrow(
      new RegExp(`^Dockerfile line 3: ${why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*teach test/support/dockerfile.ts`),
    );
  });

  it('refuses an instruction before the first FROM', () => {
    expect(() => parseDockerfile('RUN true\nFROM node:24\n')).toThrow(/^Dockerfile line 1: an instruction before/);
  });

  it('maps container paths into the stage folder', () => {
    expect(hostPath('/tmp/stage', '/app', 'dist')).toBe('/tmp/stage/app/dist');
    expect(hostPath('/tmp/stage', '/app', '/app/package.json')).toBe('/tmp/stage/app/package.json');
    expect(hostPath('/tmp/stage', '/app', './')).toBe('/tmp/stage/app');
  });
});

describe('the .dockerignore matcher of the image test', () => {
  const ignored = dockerignoreMatcher('# build output\nnode_modules\n/dist/\n**/*.log\n!keep.log\n');

  it.each([
    ['node_modules', true],
    ['node_modules/jest/package.json', true],
    ['dist/src/main.js', true],
    ['src/node_modules', false],
    ['src/debug.log', true],
    ['debug.log', true],
    ['keep.log', false],
    ['src/main.ts', false],
  ])('%s: left out %s', (file, expected) => {
    expect(ignored(file)).toBe(expected);
  });
});
