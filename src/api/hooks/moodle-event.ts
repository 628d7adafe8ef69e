import { z } from 'zod';

/**
 * One event as Moodle's forwarders post it: local_webhooks sends the event's standard data
 * (`\core\event\base::get_data()`) plus `host`, `token` and `extra`; observer plugins send a subset.
 * Only what decides the work is checked; the rest of the standard data is allowed and ignored. PHP may
 * encode ids as strings, so digits are accepted either way.
 */
const moodleId = z.union([
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  z
    .string()
    .regex(/^\d{1,15}$/, 'expected a Moodle id')
    .transform(Number),
]);

export const moodleEventSchema = z.looseObject({
  eventname: z
    .string()
    .max(255)
    .regex(
      /^\\[a-z][a-z0-9_]*\\event\\[a-z][a-z0-9_]*$/,
      String.raw`expected an event class such as \core\event\user_graded`,
    ),
  courseid: moodleId,
  token: z.string().max(1024).optional(),
});

export type MoodleEvent = z.infer<typeof moodleEventSchema>;

/** Where a zod issue is, never what was sent: the body may carry the secret. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}
