import { z } from 'zod';
import type {
  CourseModule,
  CourseSection,
  GradeItem,
  MoodleCourse,
  MoodleUser,
  SiteInfo,
  UserGrades,
} from '../domain/moodle-data';

/**
 * Zod schemas of the responses the client reads, each transforming into the
 * project's types (`types.ts`). Unknown keys are dropped, so fields a newer
 * Moodle adds never break a sync; keys Moodle omits depending on version,
 * capabilities or report settings are optional (docs/moodle.md §2–§7).
 */

const id = z.int();
const unixTime = z.int();

/** Older APIs send PARAM_BOOL-like flags (visible, visibleoncoursepage) as 0/1. */
const flag = z.preprocess(
  (value) => (value === 0 ? false : value === 1 ? true : value),
  z.boolean({ error: 'expected 0, 1 or a boolean' }),
);

/**
 * Drops keys whose value is `undefined`: the MongoDB driver would store them
 * as `null`, and for some fields (gradeRaw) `null` means something else.
 */
function definedOnly<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

export const siteInfoSchema = z
  .object({
    sitename: z.string(),
    siteurl: z.string(),
    userid: id,
    username: z.string(),
    functions: z.array(z.object({ name: z.string() })),
    release: z.string().optional(),
    version: z.string().optional(),
    siteid: id.optional(),
  })
  .transform((raw): SiteInfo =>
    definedOnly({
      siteName: raw.sitename,
      siteUrl: raw.siteurl,
      userId: raw.userid,
      username: raw.username,
      functions: raw.functions.map((fn) => fn.name),
      release: raw.release,
      version: raw.version,
      // `siteid` is optional in the API; SITEID is 1 on every standard install.
      siteId: raw.siteid ?? 1,
    }),
  );

const courseSchema = z
  .object({
    id,
    shortname: z.string(),
    fullname: z.string(),
    displayname: z.string(),
    categoryid: id,
    format: z.string(),
    idnumber: z.string().optional(),
    visible: flag.optional(),
    startdate: unixTime,
    enddate: unixTime,
    timemodified: unixTime.optional(),
  })
  .transform((raw): MoodleCourse =>
    definedOnly({
      id: raw.id,
      shortName: raw.shortname,
      fullName: raw.fullname,
      displayName: raw.displayname,
      categoryId: raw.categoryid,
      format: raw.format,
      idNumber: raw.idnumber,
      visible: raw.visible,
      startDate: raw.startdate,
      endDate: raw.enddate,
      timeModified: raw.timemodified,
    }),
  );

export const coursesSchema = z.array(courseSchema);

const courseModuleSchema = z
  .object({
    id,
    name: z.string(),
    modname: z.string(),
    instance: id,
    visible: flag,
    visibleoncoursepage: flag,
    uservisible: flag,
  })
  .transform((raw): CourseModule => ({
    id: raw.id,
    name: raw.name,
    modName: raw.modname,
    instance: raw.instance,
    visible: raw.visible,
    visibleOnCoursePage: raw.visibleoncoursepage,
    userVisible: raw.uservisible,
  }));

const courseSectionSchema = z
  .object({
    id,
    name: z.string(),
    section: z.int(),
    visible: flag.optional(),
    modules: z.array(courseModuleSchema),
  })
  .transform((raw): CourseSection => ({
    id: raw.id,
    name: raw.name,
    section: raw.section,
    visible: raw.visible ?? true,
    modules: raw.modules,
  }));

export const courseContentsSchema = z.array(courseSectionSchema);

/**
 * docs/moodle.md §5.4: early 3.x releases omit some of the "always" item fields,
 * so the nullable ones are read as null when absent. Grade fields are
 * different: absent (report hides grades) and null (not graded) differ.
 */
const alwaysNullable = <T extends z.ZodType>(schema: T) =>
  schema
    .nullable()
    .optional()
    .transform((value) => value ?? null);

const gradeItemSchema = z
  .object({
    id,
    itemname: alwaysNullable(z.string()),
    itemtype: z.string(),
    itemmodule: alwaysNullable(z.string()),
    iteminstance: alwaysNullable(z.int()),
    itemnumber: alwaysNullable(z.int()),
    idnumber: alwaysNullable(z.string()),
    categoryid: alwaysNullable(id),
    cmid: id.optional(),
    weightraw: z.number().optional(),
    weightformatted: z.string().optional(),
    status: z.string().optional(),
    graderaw: z.number().nullable().optional(),
    gradedatesubmitted: unixTime.nullable().optional(),
    gradedategraded: unixTime.nullable().optional(),
    gradeishidden: flag.optional(),
    gradeisoverridden: flag.nullable().optional(),
    gradeformatted: z.string().optional(),
    grademin: z.number().optional(),
    grademax: z.number().optional(),
    rangeformatted: z.string().optional(),
    percentageformatted: z.string().optional(),
    lettergradeformatted: z.string().optional(),
    feedback: z.string().optional(),
    feedbackformat: z.int().optional(),
  })
  .transform((raw): GradeItem =>
    definedOnly({
      id: raw.id,
      itemName: raw.itemname,
      itemType: raw.itemtype,
      itemModule: raw.itemmodule,
      itemInstance: raw.iteminstance,
      itemNumber: raw.itemnumber,
      idNumber: raw.idnumber,
      categoryId: raw.categoryid,
      cmid: raw.cmid,
      weightRaw: raw.weightraw,
      weightFormatted: raw.weightformatted,
      status: raw.status,
      gradeRaw: raw.graderaw,
      gradeDateSubmitted: raw.gradedatesubmitted,
      gradeDateGraded: raw.gradedategraded,
      gradeIsHidden: raw.gradeishidden,
      gradeIsOverridden: raw.gradeisoverridden,
      gradeFormatted: raw.gradeformatted,
      gradeMin: raw.grademin,
      gradeMax: raw.grademax,
      rangeFormatted: raw.rangeformatted,
      percentageFormatted: raw.percentageformatted,
      letterGradeFormatted: raw.lettergradeformatted,
      feedback: raw.feedback,
      feedbackFormat: raw.feedbackformat,
    }),
  );

export const userGradesSchema = z
  .object({
    courseid: id,
    userid: id,
    userfullname: z.string(),
    useridnumber: z.string().optional(),
    gradeitems: z.array(gradeItemSchema),
  })
  .transform((raw): UserGrades =>
    definedOnly({
      courseId: raw.courseid,
      userId: raw.userid,
      userFullName: raw.userfullname,
      userIdNumber: raw.useridnumber,
      gradeItems: raw.gradeitems,
    }),
  );

export const gradeReportSchema = z
  .object({ usergrades: z.array(userGradesSchema) })
  .transform((raw): UserGrades[] => raw.usergrades);

const userSchema = z
  .object({
    id,
    username: z.string().optional(),
    firstname: z.string().optional(),
    lastname: z.string().optional(),
    fullname: z.string(),
    email: z.string().optional(),
    idnumber: z.string().optional(),
    roles: z.array(z.object({ shortname: z.string() })).optional(),
  })
  .transform((raw): MoodleUser =>
    definedOnly({
      id: raw.id,
      username: raw.username,
      firstName: raw.firstname,
      lastName: raw.lastname,
      fullName: raw.fullname,
      email: raw.email,
      idNumber: raw.idnumber,
      roles: raw.roles?.map((role) => role.shortname),
    }),
  );

export const usersSchema = z.array(userSchema);
