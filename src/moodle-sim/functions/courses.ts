import { integer, list, optional, structure, withDefault } from '../protocol/external-params';
import type { SimCourse } from '../records';
import type { SiteModel } from '../site';
import { requireCourseContext } from './course-access';
import { defineWsFunction } from './define';

/**
 * core_course_get_courses (docs/moodle.md §3.1): no ids = every course, front page
 * included; unknown or deleted ids are dropped silently; one course the token
 * user cannot enter fails the whole call.
 */
export const getCourses = defineWsFunction({
  params: structure({
    options: withDefault(structure({ ids: optional(list(integer())) }), { ids: undefined }),
  }),
  execute({ options }, { site }) {
    const wanted = options.ids && options.ids.length > 0 ? new Set(options.ids) : undefined;
    const courses = site.courses().filter((course) => !wanted || wanted.has(course.id));
    for (const course of courses) requireCourseContext(site, course);
    return { rows: courses.length, body: courses.map((course) => courseRecord(site, course)) };
  },
});

/** The fields a token user with moodle/course:update sees, in the order of the return description. */
function courseRecord(site: SiteModel, course: SimCourse) {
  const isSite = course.format === 'site';
  return {
    id: course.id,
    shortname: course.shortname,
    categoryid: course.categoryid,
    categorysortorder: course.categorysortorder,
    fullname: course.fullname,
    displayname: course.fullname,
    idnumber: course.idnumber,
    summary: course.summary,
    summaryformat: 1,
    format: course.format,
    showgrades: 1,
    newsitems: course.newsitems,
    startdate: course.startdate,
    enddate: course.enddate,
    numsections: site.sections(course.id).length - 1,
    maxbytes: 0,
    showreports: 0,
    visible: course.visible ? 1 : 0,
    hiddensections: isSite ? undefined : course.hiddensections,
    groupmode: course.groupmode,
    groupmodeforce: 0,
    defaultgroupingid: 0,
    timecreated: course.timecreated,
    timemodified: course.timemodified,
    enablecompletion: course.enablecompletion ? 1 : 0,
    completionnotify: 0,
    lang: '',
    forcetheme: '',
    courseformatoptions: formatOptions(course),
    showactivitydates: !isSite,
    showcompletionconditions: course.enablecompletion ? true : null,
    customfields:
      course.customfields.length > 0
        ? course.customfields.map((field) => ({
            name: field.name,
            shortname: field.shortname,
            type: field.type,
            valueraw: field.value,
            value: field.value,
          }))
        : undefined,
  };
}

/** Options of the topics and weeks formats; `indentation` really is a string. */
function formatOptions(course: SimCourse): { name: string; value: number | string }[] {
  switch (course.format) {
    case 'site':
      return [];
    case 'topics':
      return [
        { name: 'hiddensections', value: course.hiddensections },
        { name: 'coursedisplay', value: 0 },
        { name: 'indentation', value: '1' },
      ];
    case 'weeks':
      return [
        { name: 'hiddensections', value: course.hiddensections },
        { name: 'coursedisplay', value: 0 },
        { name: 'automaticenddate', value: 1 },
      ];
  }
}
