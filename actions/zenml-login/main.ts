import * as core from '@actions/core';
core.info('zenml-login: not built yet');
