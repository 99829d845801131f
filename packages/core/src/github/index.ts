export { readRunApprovals, judgeApprovals, approvalsTable, type ApprovalRecord } from './approvals.js';
export { upsertStickyComment, markerComment } from './comments.js';
export { pullRequestNumber } from './event.js';
export { GitHubApiError, type GitHubTarget } from './client.js';
