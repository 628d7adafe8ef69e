import type { ModName } from './records';

/** What Moodle's plugins declare about themselves (lib.php `*_supports`, lang strings). */
export interface ModuleKind {
  plural: string;
  purpose: 'assessment' | 'collaboration' | 'communication' | 'content';
  /** FEATURE_NO_VIEW_LINK: no `url`, description always shown. */
  noViewLink: boolean;
  /** Only forums export an activity badge (unread posts), as an empty list when there is none. */
  hasActivityBadge: boolean;
  /** Students hand something in, so grades carry a submission date. */
  hasSubmissions: boolean;
  /** Rule behind automatic completion, shown in `completiondata.details`. */
  automaticCompletionRule?: { name: string; description: string };
  /** `customdata` when the activity sets no dates. */
  defaultCustomData: string;
}

const NO_CUSTOM_DATA = '""';
const NO_DATES = '{"timeopen":"0","timeclose":"0"}';

export const MODULE_KINDS: Readonly<Record<ModName, ModuleKind>> = {
  assign: {
    hasSubmissions: true,
    plural: 'Assignments',
    purpose: 'assessment',
    noViewLink: false,
    hasActivityBadge: false,
    automaticCompletionRule: { name: 'completionsubmit', description: 'Make a submission' },
    defaultCustomData: '{"duedate":"0","allowsubmissionsfromdate":"0"}',
  },
  quiz: {
    hasSubmissions: true,
    plural: 'Quizzes',
    purpose: 'assessment',
    noViewLink: false,
    hasActivityBadge: false,
    automaticCompletionRule: { name: 'completionusegrade', description: 'Receive a grade' },
    defaultCustomData: NO_DATES,
  },
  workshop: {
    hasSubmissions: true,
    plural: 'Workshops',
    purpose: 'assessment',
    noViewLink: false,
    hasActivityBadge: false,
    defaultCustomData: NO_CUSTOM_DATA,
  },
  forum: {
    hasSubmissions: false,
    plural: 'Forums',
    purpose: 'collaboration',
    noViewLink: false,
    hasActivityBadge: true,
    defaultCustomData: '{"trackingtype":"1"}',
  },
  lesson: {
    hasSubmissions: true,
    plural: 'Lessons',
    purpose: 'content',
    noViewLink: false,
    hasActivityBadge: false,
    automaticCompletionRule: { name: 'completionusegrade', description: 'Receive a grade' },
    defaultCustomData: NO_CUSTOM_DATA,
  },
  choice: {
    hasSubmissions: false,
    plural: 'Choices',
    purpose: 'communication',
    noViewLink: false,
    hasActivityBadge: false,
    defaultCustomData: NO_DATES,
  },
  feedback: {
    hasSubmissions: false,
    plural: 'Feedback',
    purpose: 'communication',
    noViewLink: false,
    hasActivityBadge: false,
    defaultCustomData: NO_CUSTOM_DATA,
  },
  label: {
    hasSubmissions: false,
    plural: 'Text and media areas',
    purpose: 'content',
    noViewLink: true,
    hasActivityBadge: false,
    defaultCustomData: NO_CUSTOM_DATA,
  },
  page: {
    hasSubmissions: false,
    plural: 'Pages',
    purpose: 'content',
    noViewLink: false,
    hasActivityBadge: false,
    defaultCustomData: NO_CUSTOM_DATA,
  },
  url: {
    hasSubmissions: false,
    plural: 'URLs',
    purpose: 'content',
    noViewLink: false,
    hasActivityBadge: false,
    defaultCustomData: NO_CUSTOM_DATA,
  },
  resource: {
    hasSubmissions: false,
    plural: 'Files',
    purpose: 'content',
    noViewLink: false,
    hasActivityBadge: false,
    defaultCustomData: NO_CUSTOM_DATA,
  },
};

/** A URL module's `customdata`: PHP's json_encode of its settings, slashes escaped. */
export function urlCustomData(url: string): string {
  return JSON.stringify({ fullurl: url, display: '0' }).replace(/\//g, '\\/');
}
