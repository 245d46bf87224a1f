/** @type {import('next').NextConfig} */
const nextConfig = {
  // `pnpm typecheck` at the repository root checks this app against the packages' declarations.
  typescript: { ignoreBuildErrors: true },
  // In this repository only: workspace packages resolve to their TypeScript sources (no build
  // first). An app that installs @stepgate/* from npm needs none of this.
  webpack: (config) => {
    config.resolve.conditionNames = ['source', ...(config.resolve.conditionNames ?? ['...'])];
    config.resolve.extensionAlias = { '.js': ['.ts', '.tsx', '.js'] };
    return config;
  },
};

export default nextConfig;
