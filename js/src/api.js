// What the runtime gives the pieces of each type (see types.js): helpers and the page's state,
// by name, so that a type built apart from the runtime (another Django app's) can use them.
/* global TM_PREVIEW */
import { collectFlush } from "./collect.js";
import { gtag } from "./consent-mode.js";
import { emit } from "./events.js";
import { runtime } from "./state.js";
import {
  addImage,
  addScript,
  cookieJar,
  dig,
  encode,
  escapeHtml,
  nonce,
  once,
  pageRoot,
  queryParam,
  withValue,
} from "./util.js";

export const api = {
  addImage,
  addScript,
  cookieJar,
  dig,
  emit,
  encode,
  escapeHtml,
  gtag: (...args) => gtag(...args),
  nonce,
  once,
  pageRoot,
  queryParam,
  withValue,
  collectFlush,
  /** A selector of the runtime's own elements (banner, its button, the preview's panel). */
  ownElements: `[data-tm-banner],[data-tm-settings]${TM_PREVIEW ? ",[data-tm-debug]" : ""}`,
  /** The merged objects of tm.push, for data layer variables. */
  pageData: () => runtime.pageData,
};
