import { confirmHeldDeletions } from '../use-cases/course-deletions';
import { printJson, withOps } from './ops';

/** Applies the course deletions the course sync held back (too many courses vanished from Moodle at once). */
export async function runConfirmDeletionsCommand(options: { course?: number[]; json?: boolean }): Promise<void> {
  await withOps(['MONGODB_URI'], async (ops) => {
    const result = await confirmHeldDeletions(await ops.stores(), new Date(), options.course);
    if (options.json) {
      printJson(result);
      return;
    }
    const list = (ids: number[]) => (ids.length === 0 ? 'none' : ids.join(', '));
    console.log(`Marked deleted: ${list(result.deleted)}`);
    if (result.ignored.length > 0) console.log(`Not held, left alone: ${list(result.ignored)}`);
    console.log(`Still held for confirmation: ${list(result.stillHeld)}`);
  });
}
