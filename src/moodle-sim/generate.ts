import { activity, GRADED_RECIPES, RECIPE_WEIGHTS, REQUIRED_RECIPES, type Recipe } from './generator-recipes';
import { CITIES, COUNTRIES, FIRST_NAMES, LAST_NAMES, SUBJECTS, TOPICS } from './generator-vocabulary';
import { hashSeed, mulberry32, pick, shuffle } from './random';
import type { SimCourse } from './records';
import { FEEDBACK_SNIPPETS } from './seeded-grades';
import { SITE_COURSE_ID, SiteModel } from './site';
import { DAY } from './units';

export interface GenerateSiteOptions {
  seed: string | number;
  /** Courses besides the front page, 3 … 5000. */
  courses: number;
  studentsPerCourse: number;
  /** Course modules per course, resources and labels included (Moodle's "activities and resources"). */
  activitiesPerCourse: number;
  /** Share of modules hidden, stealth or in a hidden section (rotating); default 0.15. */
  hiddenShare?: number;
  /** Share of (student, graded item) cells holding a grade; default 0.6. */
  gradedShare?: number;
  /** Distinct students shared between courses; default all enrollments / 2 (at least the largest course). */
  studentPool?: number;
  /** Students of each course, in order, instead of `studentsPerCourse` for all (a real site's skew). */
  courseSizes?: readonly number[];
  /**
   * The first generated course's id (default: the next after the front page). Workflow ids name courses,
   * so tests sharing one Temporal namespace give each site ids of its own.
   */
  firstCourseId?: number;
}

/** 2025-01-01: generated data never depends on the clock. */
const BASE_TIME = 1_735_689_600;
const NO_GRADE_SHARE = 0.08;
const SUSPENDED_SHARE = 0.03;
const HIDDEN_COURSE_SHARE = 0.05;

type Concealment = 'hidden' | 'stealth' | 'hiddenSection';
const CONCEALMENTS: readonly Concealment[] = ['hidden', 'stealth', 'hiddenSection'];

/**
 * Same options, same site: every value comes from one seeded PRNG drawn in a
 * fixed order, and grades are computed from per-course seeds on demand (so a
 * 5,000-course site costs little memory).
 */
export function generateSite(options: GenerateSiteOptions): SiteModel {
  const settings = validated(options);
  const random = mulberry32(hashSeed(options.seed));
  const site = new SiteModel({
    identity: {
      sitename: 'Simulated Academy',
      release: '4.5 (Build: 20241007)',
      version: '2024100700',
      lang: 'en',
      theme: 'boost',
      userprivateaccesskey: Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join(''),
    },
    serviceUser: { firstname: 'SMS', lastname: 'Sync', username: 'svc_sms_sync', email: 'sms-sync@example.edu' },
  });
  // Sites whose php.ini predates PHP 7.1 print weights as 0.33333000000000002; the client must not care.
  site.setSerializePrecision(17);
  addFrontPage(site);
  if (options.firstCourseId !== undefined) site.reserveCourseIds(options.firstCourseId - 1);
  addGeneratedCourses(site, random, settings, { guaranteeEdgeCases: true });
  return site;
}

export type GeneratedCoursesSettings = Required<Omit<GenerateSiteOptions, 'seed' | 'courseSizes' | 'firstCourseId'>> &
  Pick<GenerateSiteOptions, 'courseSizes'>;

/**
 * Adds teachers, a pool of students and `settings.courses` generated courses.
 * With `guaranteeEdgeCases`, the first course holds a manual item and an
 * active student without grades, and the last course is hidden.
 */
export function addGeneratedCourses(
  site: SiteModel,
  random: () => number,
  settings: GeneratedCoursesSettings,
  { guaranteeEdgeCases }: { guaranteeEdgeCases: boolean },
): void {
  const teacherIds = Array.from({ length: Math.ceil(settings.courses / 5) }, (_, serial) =>
    addPerson(site, random, 'teacher', serial),
  );
  const studentIds = Array.from({ length: settings.studentPool }, (_, serial) =>
    addPerson(site, random, 'student', serial),
  );
  const planner = new SitePlanner(random);
  for (let index = 0; index < settings.courses; index++) {
    const hiddenForSure = guaranteeEdgeCases && index === settings.courses - 1;
    buildCourse(site, random, planner, {
      number: index,
      visible: !hiddenForSure && random() >= HIDDEN_COURSE_SHARE,
      showcase: guaranteeEdgeCases && index === 0,
      teacherId: teacherIds[index % teacherIds.length],
      studentIds: sampleDistinct(random, studentIds, settings.courseSizes?.[index] ?? settings.studentsPerCourse),
      activities: settings.activitiesPerCourse,
      hiddenShare: settings.hiddenShare,
      gradedShare: settings.gradedShare,
      categories: Math.max(1, Math.ceil(settings.courses / 25)),
    });
  }
}

function validated(options: GenerateSiteOptions): GeneratedCoursesSettings {
  const requireWhole = (name: string, value: number, min: number, max = Infinity) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${name} must be a whole number in ${min}…${max}, got ${value}`);
    }
  };
  const share = (name: string, value: number) => {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
  };
  requireWhole('courses', options.courses, 3, 5000);
  requireWhole('studentsPerCourse', options.studentsPerCourse, 0);
  requireWhole('activitiesPerCourse', options.activitiesPerCourse, 0);
  const sizes = options.courseSizes ?? Array.from({ length: options.courses }, () => options.studentsPerCourse);
  if (sizes.length !== options.courses)
    throw new RangeError(`courseSizes must name ${options.courses} courses, got ${sizes.length}`);
  sizes.forEach((size, index) => requireWhole(`courseSizes[${index}]`, size, 0));
  const largest = Math.max(...sizes);
  const settings = {
    courses: options.courses,
    studentsPerCourse: options.studentsPerCourse,
    activitiesPerCourse: options.activitiesPerCourse,
    hiddenShare: options.hiddenShare ?? 0.15,
    gradedShare: options.gradedShare ?? 0.6,
    studentPool: options.studentPool ?? Math.max(largest, Math.round(sizes.reduce((sum, size) => sum + size, 0) / 2)),
    courseSizes: options.courseSizes,
  };
  share('hiddenShare', settings.hiddenShare);
  share('gradedShare', settings.gradedShare);
  requireWhole('studentPool', settings.studentPool, largest);
  return settings;
}

function addFrontPage(site: SiteModel): void {
  site.addCourse({
    id: SITE_COURSE_ID,
    format: 'site',
    shortname: 'SIMACAD',
    fullname: 'Simulated Academy',
    summary: '<p>A Moodle site simulated for tests.</p>',
    timecreated: BASE_TIME - 400 * DAY,
    sections: [{ name: '' }, { name: 'Site news' }],
  });
  site.addActivity(SITE_COURSE_ID, { section: 1, modname: 'forum', name: 'Site announcements' });
}

/** Adds a teacher or student with a plausible profile; returns the user id. */
function addPerson(site: SiteModel, random: () => number, role: 'teacher' | 'student', serial: number): number {
  const firstname = pick(random, FIRST_NAMES);
  const lastname = pick(random, LAST_NAMES);
  const username = role === 'student' ? `s${100_000 + serial}` : `t${10_000 + serial}`;
  const neverLoggedIn = random() < 0.05;
  const lastaccess = neverLoggedIn ? 0 : BASE_TIME + Math.floor(random() * 300) * DAY;
  const user = site.addUser({
    firstname,
    lastname,
    username,
    email: `${username}@${role === 'student' ? 'students.' : ''}example.edu`,
    // A few accounts lack the SMS id: the sync has to cope.
    idnumber: random() < 0.01 ? '' : username.toUpperCase(),
    city: pick(random, CITIES),
    country: pick(random, COUNTRIES),
    firstaccess: neverLoggedIn ? 0 : lastaccess - Math.floor(random() * 200) * DAY,
    lastaccess,
  });
  return user.id;
}

function sampleDistinct(random: () => number, pool: readonly number[], count: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(pool[Math.floor(random() * pool.length)] as number);
  return [...chosen].sort((a, b) => a - b);
}

/** Spreads the edge cases over the whole site, so small courses still add up to a complete showcase. */
class SitePlanner {
  private requiredPlaced = 0;
  private concealed = 0;

  constructor(private readonly random: () => number) {}

  nextRecipe(): Recipe {
    const required = REQUIRED_RECIPES[this.requiredPlaced];
    if (required) {
      this.requiredPlaced++;
      return required;
    }
    let draw = this.random() * RECIPE_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [recipe, weight] of RECIPE_WEIGHTS) {
      draw -= weight;
      if (draw < 0) return recipe;
    }
    return 'assign';
  }

  /** Until every kind of concealment has appeared once, each course hides at least one module. */
  concealmentCount(modules: number, share: number): number {
    const expected = share * modules;
    const count = Math.floor(expected) + (this.random() < expected % 1 ? 1 : 0);
    return share > 0 && this.concealed < CONCEALMENTS.length ? Math.max(1, count) : count;
  }

  nextConcealment(): Concealment {
    return CONCEALMENTS[this.concealed++ % CONCEALMENTS.length] as Concealment;
  }
}

interface CourseSpec {
  number: number;
  visible: boolean;
  /**
   * The first course: it carries the edge cases one course can guarantee (a
   * manual item, an active student without grades, one fully graded student
   * with feedback).
   */
  showcase: boolean;
  teacherId: number | undefined;
  studentIds: readonly number[];
  activities: number;
  hiddenShare: number;
  gradedShare: number;
  categories: number;
}

function buildCourse(site: SiteModel, random: () => number, planner: SitePlanner, spec: CourseSpec): SimCourse {
  const subject = pick(random, SUBJECTS);
  const level = 100 + Math.floor(random() * 300);
  const startdate = BASE_TIME + Math.floor(random() * 240) * DAY;
  const format = random() < 0.2 ? 'weeks' : 'topics';
  const recipes = Array.from({ length: spec.activities }, () => planner.nextRecipe());
  const concealments = planConcealments(random, planner, recipes, spec.hiddenShare);
  const hasHiddenSection = [...concealments.values()].includes('hiddenSection');
  const topics = Math.max(1, Math.ceil(recipes.length / 5));
  const shortname = `${subject.code}${level}-${spec.number + 1}`;
  const course = site.addCourse({
    shortname,
    fullname: `${subject.name} ${level}`,
    idnumber: random() < 0.95 ? `SMS-${shortname}` : '',
    categoryid: 1 + (spec.number % spec.categories),
    categorysortorder: 10_000 * (1 + (spec.number % spec.categories)) + spec.number,
    summary: `<p>${subject.name} at level ${level}.</p>`,
    format,
    startdate,
    enddate: startdate + 120 * DAY,
    visible: spec.visible,
    enablecompletion: random() < 0.7,
    timecreated: startdate - 30 * DAY,
    timemodified: startdate - Math.floor(random() * 30) * DAY,
    sections: [
      { name: 'General' },
      ...Array.from({ length: topics }, (_, n) => ({
        name: format === 'weeks' ? `Week ${n + 1}` : `Topic ${n + 1}: ${pick(random, TOPICS)}`,
      })),
      ...(hasHiddenSection ? [{ name: 'Exam preparation', summary: '<p>Opens before the exams.</p>' }] : []),
    ],
  });

  let courseworkCategory: number | undefined;
  const coursework = () => (courseworkCategory ??= site.addGradeCategory(course.id).id);
  recipes.forEach((recipe, index) => {
    const concealment = concealments.get(index);
    site.addActivity(course.id, {
      ...activity(recipe, index + 1, random, coursework, startdate),
      section: concealment === 'hiddenSection' ? topics + 1 : Math.floor((index * (topics + 1)) / recipes.length),
      visible: concealment !== 'hidden',
      visibleoncoursepage: concealment !== 'stealth',
    });
  });
  if (spec.showcase || random() < 0.5) {
    site.addManualItem(course.id, { itemname: 'Attendance', grademax: 10, idnumber: `${shortname}-ATT` });
  }
  if (hasHiddenSection) site.setSectionVisible(course.id, topics + 1, false);

  if (spec.teacherId !== undefined) site.enrol(course.id, spec.teacherId, 'editingteacher');
  const gradedUserIds: number[] = [];
  spec.studentIds.forEach((userId, position) => {
    const guaranteedWithoutGrades = spec.showcase && position === spec.studentIds.length - 1;
    site.enrol(course.id, userId, 'student', { active: guaranteedWithoutGrades || random() >= SUSPENDED_SHARE });
    if (!guaranteedWithoutGrades && random() >= NO_GRADE_SHARE) gradedUserIds.push(userId);
  });
  site.seedGrades(course.id, {
    seed: Math.floor(random() * 2 ** 32),
    cellProbability: Math.min(1, spec.gradedShare / (1 - NO_GRADE_SHARE)),
    gradedUserIds,
    startdate,
  });
  const [firstGraded] = gradedUserIds;
  if (spec.showcase && firstGraded !== undefined) gradeEverything(site, random, course, firstGraded);
  return course;
}

/** Explicit grades (scale, workshop items, HTML feedback) that seeded chance might leave out of a small site. */
function gradeEverything(site: SiteModel, random: () => number, course: SimCourse, userId: number): void {
  const gradebook = site.gradebook(course.id);
  gradebook.gradedItems().forEach((item, index) => {
    const dategraded = course.startdate + (index + 1) * 7 * DAY;
    const quarter = (1 + Math.floor(random() * 4)) / 4;
    gradebook.setActivityGrade(item.id, userId, {
      value: item.scale
        ? 1 + Math.floor(random() * item.scale.length)
        : item.grademin + quarter * (item.grademax - item.grademin),
      feedback: index === 0 ? (FEEDBACK_SNIPPETS[1] ?? '') : '',
      datesubmitted: item.itemtype === 'manual' ? null : dategraded - DAY,
      dategraded,
    });
  });
}

/** Which modules get hidden, made stealth or put into the hidden section; graded ones first where it matters. */
function planConcealments(
  random: () => number,
  planner: SitePlanner,
  recipes: readonly Recipe[],
  share: number,
): Map<number, Concealment> {
  const order = shuffle(
    random,
    recipes.map((_, index) => index),
  );
  const chosen = new Map<number, Concealment>();
  const count = Math.min(recipes.length, planner.concealmentCount(recipes.length, share));
  for (let placed = 0; placed < count; placed++) {
    const concealment = planner.nextConcealment();
    // A label has no page of its own, so "stealth" means nothing for it.
    const fits = (index: number) => !chosen.has(index) && (concealment !== 'stealth' || recipes[index] !== 'label');
    const graded = order.find((index) => fits(index) && GRADED_RECIPES.has(recipes[index] as Recipe));
    const index = (concealment === 'stealth' ? undefined : graded) ?? order.find(fits);
    if (index !== undefined) chosen.set(index, concealment);
  }
  return chosen;
}
