# syntax=docker/dockerfile:1
# Build stage: compile TypeScript, bundle the workflows, then drop dev dependencies.
# test/image/image-recipe.test.ts replays this file's steps without Docker: keep to what it understands.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY workflows workflows
COPY activities activities
# `npm run build` ends by running this script (through tsx) to write dist/workflow-bundle.js.
COPY scripts/build-workflow-bundle.ts scripts/
RUN npm run build && npm prune --omit=dev

# Run stage: compiled code, the prebuilt workflow bundle and production dependencies only.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
# glibc gives each allocating thread its own arena; freed buffers of big streamed grade reports then stay in
# the process (peak RSS 420-600 MB against about 390 MB with two arenas: test/faults/huge-course.test.ts).
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY bin bin
USER node
ENTRYPOINT ["node", "bin/sms-sync.js"]
CMD ["worker"]
