// Reading a project's data through HQ's Form, Case and User APIs: one reader (paging, 429 and
// Retry-After, API key or Basic) shared by `verify migration` and `size init --from`, and the
// resumable month-by-month history the sizing derives its config from.
export { ProjectReader, monthBounds, monthsBetween, FORM_PAGE, CASE_PAGE, type ReaderOptions, type ApiForm, type ApiCase } from './reader.ts';
export { collectHistory, dropCursor, addForms, addCases, type MonthTally, type CaseTallies, type ProjectHistory, type HistoryOptions, type HistoryResult, type Progress } from './history.ts';
