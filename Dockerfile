# One image for every service; docker-compose.yml and deploy/k8s give each its command.

# Build: every dependency (TypeScript, the swc native binding: no --omit=optional), then dist/.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY gateway ./gateway
COPY subgraphs ./subgraphs
COPY schema ./schema
COPY data ./data
# The partner operations the trusted-documents manifest is built from.
COPY test/contract ./test/contract
# The partnership console (its operations join the manifest; vite builds it into dist/console).
COPY console ./console
RUN npm run build

# Runtime: compiled JavaScript and production dependencies only, as an unprivileged user.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 4000
# The gateway by default; a subgraph is `node dist/subgraphs/<name>/index.js`.
CMD ["node", "dist/gateway/index.js"]
