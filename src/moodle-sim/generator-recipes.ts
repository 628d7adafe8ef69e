import { LABEL_TEXTS, QUALITY_SCALE, TOPICS } from './generator-vocabulary';
import { pick } from './random';
import type { ModName } from './records';
import type { ActivityInput } from './site-inputs';
import { DAY } from './units';

/**
 * The kinds of module the site generator builds (a forum with ratings is a
 * kind of its own), and how each one looks.
 */
export type Recipe = ModName | 'ratedForum';

/**
 * Placed first across the site, so every site with at least ten modules shows
 * each of them; the graded ones lead, so the first course holds them.
 */
export const REQUIRED_RECIPES: readonly Recipe[] = [
  'assign',
  'ratedForum',
  'workshop',
  'quiz',
  'label',
  'page',
  'url',
  'resource',
  'choice',
  'forum',
];

export const RECIPE_WEIGHTS: readonly [Recipe, number][] = [
  ['assign', 20],
  ['quiz', 15],
  ['workshop', 3],
  ['ratedForum', 5],
  ['forum', 6],
  ['lesson', 4],
  ['choice', 4],
  ['feedback', 3],
  ['label', 8],
  ['page', 8],
  ['url', 5],
  ['resource', 6],
];

export const GRADED_RECIPES: ReadonlySet<Recipe> = new Set(['assign', 'quiz', 'workshop', 'ratedForum', 'lesson']);

/** The module a recipe stands for, with dates around the course start and its grade items. */
export function activity(
  recipe: Recipe,
  ordinal: number,
  random: () => number,
  courseworkCategory: () => number,
  startdate: number,
): Omit<ActivityInput, 'section'> {
  const opens = startdate + ordinal * 7 * DAY;
  const closes = opens + 14 * DAY;
  switch (recipe) {
    case 'assign':
      return {
        modname: 'assign',
        name: `Assignment ${ordinal}: ${pick(random, TOPICS)}`,
        customdata: JSON.stringify({ duedate: String(closes), allowsubmissionsfromdate: String(opens) }),
        dates: [
          { label: 'Opened:', timestamp: opens, dataid: 'allowsubmissionsfromdate' },
          { label: 'Due:', timestamp: closes, dataid: 'duedate' },
        ],
        gradeItems: [
          {
            grademax: 100,
            gradepass: random() < 0.5 ? 50 : undefined,
            idnumber: random() < 0.3 ? `A${ordinal}` : '',
            categoryid: courseworkCategory(),
          },
        ],
      };
    case 'quiz':
      return {
        modname: 'quiz',
        name: `Quiz ${ordinal}`,
        customdata: JSON.stringify({ timeopen: String(opens), timeclose: String(closes) }),
        dates: [
          { label: 'Opened:', timestamp: opens, dataid: 'timeopen' },
          { label: 'Closes:', timestamp: closes, dataid: 'timeclose' },
        ],
        gradeItems: [{ grademax: random() < 0.5 ? 10 : 20 }],
      };
    case 'workshop': {
      const name = `Peer review ${ordinal}`;
      return {
        modname: 'workshop',
        name,
        gradeItems: [
          { itemname: `${name} (submission)`, grademax: 80, categoryid: courseworkCategory() },
          { itemname: `${name} (assessment)`, grademax: 20, categoryid: courseworkCategory() },
        ],
      };
    }
    case 'ratedForum': {
      const name = `Discussion ${ordinal}`;
      return { modname: 'forum', name, gradeItems: [{ itemname: `${name} rating`, scale: QUALITY_SCALE }] };
    }
    case 'forum':
      return { modname: 'forum', name: `Questions and answers ${ordinal}` };
    case 'lesson':
      return { modname: 'lesson', name: `Lesson ${ordinal}`, gradeItems: [{ grademax: 100 }] };
    case 'choice':
      return { modname: 'choice', name: `Poll ${ordinal}` };
    case 'feedback':
      return { modname: 'feedback', name: `Course survey ${ordinal}` };
    case 'label':
      return { modname: 'label', name: 'Text and media area', description: pick(random, LABEL_TEXTS) };
    case 'page':
      return { modname: 'page', name: `Reading ${ordinal}`, completion: 1 };
    case 'url':
      return {
        modname: 'url',
        name: `Link ${ordinal}`,
        content: { kind: 'url', url: `https://www.example.org/resources/${ordinal}`, timemodified: startdate },
      };
    case 'resource':
      return {
        modname: 'resource',
        name: `Handout ${ordinal}`,
        content: {
          kind: 'file',
          filename: `handout-${ordinal}.pdf`,
          mimetype: 'application/pdf',
          filesize: 20_000 + Math.floor(random() * 500_000),
          timemodified: startdate,
        },
      };
  }
}
