/** Every route of the test server, in matching order (static segments before `{param}` ones). */
import type { Route } from '../router.js';
import { artifactRoutes } from './artifacts.js';
import { authRoutes } from './auth.js';
import { linkRoutes } from './links.js';
import { modelVersionRoutes } from './model-versions.js';
import { modelRoutes } from './models.js';
import { pipelineRoutes } from './pipelines.js';
import { projectRoutes } from './projects.js';
import { runMetadataRoutes } from './run-metadata.js';
import { runRoutes } from './runs.js';
import { serverInfoRoutes } from './server-info.js';
import { snapshotRoutes } from './snapshots.js';
import { stackRoutes } from './stacks.js';
import { tagRoutes } from './tags.js';

export const allRoutes: Route[] = [
  ...serverInfoRoutes,
  ...authRoutes,
  ...projectRoutes,
  ...modelVersionRoutes, // before models: /models/{name}/model_versions
  ...modelRoutes,
  ...artifactRoutes,
  ...linkRoutes,
  ...runMetadataRoutes,
  ...stackRoutes,
  ...pipelineRoutes,
  ...snapshotRoutes,
  ...runRoutes,
  ...tagRoutes,
];
