// Celery-backed checks of the QA plan: a case export (prepared in Celery, stored in BlobDB, progress
// in Redis) and its download, the OData case feed, and a bulk mobile-worker upload.
import type { Recorder } from './step.ts';
import type { VerifyContext } from './context.ts';

export async function caseExportAndOData(_ctx: VerifyContext, rec: Recorder): Promise<void> {
  rec.fail('case export check not implemented yet');
}

export async function bulkUserUpload(_ctx: VerifyContext, rec: Recorder): Promise<void> {
  rec.fail('bulk upload check not implemented yet');
}
