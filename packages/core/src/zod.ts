/**
 * The one place the suite gets zod from. Classic `zod` builds its whole method-chaining API when it
 * loads (about 95 ms of every action's start-up on a CI runner); `zod/mini` is the same validator
 * with a functional API that bundles to what is used. Mini ships without messages, so the English
 * locale is installed here: every validation message users see stays the one classic zod gives.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export { z };
