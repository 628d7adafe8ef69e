import { cleanBool, cleanInt, cleanPluginName } from '../protocol/clean-param';
import { wsErrors } from '../protocol/errors';
import { integer, list, structure, text, withDefault } from '../protocol/external-params';
import { MODULE_KINDS } from '../module-kinds';
import type { ModuleContent, SimCourse, SimModule, SimSection } from '../records';
import { requireCourse, requireCourseContext } from './course-access';
import { defineWsFunction } from './define';

interface ContentFilters {
  excludemodules?: boolean;
  excludecontents?: boolean;
  includestealthmodules?: boolean;
  sectionid?: number;
  sectionnumber?: number;
  cmid?: number;
  modid?: number;
  modname?: string;
}

const BOOL_OPTIONS = new Set(['excludemodules', 'excludecontents', 'includestealthmodules']);
const INT_OPTIONS = new Set(['sectionid', 'sectionnumber', 'cmid', 'modid']);

/**
 * core_course_get_contents (docs/moodle.md §4) as a token user with Manager
 * rights sees it: every section and module, hidden ones with visible 0 and
 * uservisible true; stealth modules stay in their section.
 */
export const getContents = defineWsFunction({
  params: structure({
    courseid: integer(),
    options: withDefault(list(structure({ name: text('alphanum'), value: text('raw') })), []),
  }),
  execute({ courseid, options }, { site, siteUrl }) {
    // Options are checked before the course is even looked up.
    const filters = readFilters(options);
    const course = requireCourse(site, courseid);
    requireCourseContext(site, course);
    const body: unknown[] = [];
    let rows = 0;
    for (const section of site.sections(course.id)) {
      if (filters.sectionid && section.id !== filters.sectionid) continue;
      if (filters.sectionnumber !== undefined && section.section !== filters.sectionnumber) continue;
      const modules = filters.excludemodules
        ? []
        : section.cmids
            .map((cmid) => site.module(course.id, cmid))
            .filter((module) => matchesModuleFilters(module, filters))
            .map((module) => moduleRecord(module, course, siteUrl, filters.excludecontents ?? false));
      rows += 1 + modules.length;
      body.push(sectionRecord(section, modules));
    }
    return { rows, body };
  },
});

/** Moodle keeps the first occurrence of an option and cleans its value with clean_param. */
function readFilters(options: { name: string; value: string }[]): ContentFilters {
  const filters: Record<string, boolean | number | string> = {};
  for (const { name: rawName, value } of options) {
    const name = rawName.trim();
    if (name in filters) continue;
    if (BOOL_OPTIONS.has(name)) filters[name] = cleanBool(value);
    else if (INT_OPTIONS.has(name)) filters[name] = cleanInt(value);
    else if (name === 'modname' && cleanPluginName(value) !== '') filters[name] = value;
    else throw wsErrors.invalidOptionName(name);
  }
  return filters as ContentFilters;
}

function matchesModuleFilters(module: SimModule, filters: ContentFilters): boolean {
  if (filters.cmid && module.id !== filters.cmid) return false;
  if (filters.modname && module.modname !== filters.modname) return false;
  if (filters.modname && filters.modid && module.instance !== filters.modid) return false;
  return true;
}

function sectionRecord(section: SimSection, modules: unknown[]) {
  return {
    id: section.id,
    name: section.name,
    visible: section.visible ? 1 : 0,
    summary: section.summary,
    summaryformat: 1,
    section: section.section,
    hiddenbynumsections: 0,
    uservisible: true,
    component: null,
    itemid: null,
    modules,
  };
}

function moduleRecord(module: SimModule, course: SimCourse, siteUrl: string, excludeContents: boolean) {
  const kind = MODULE_KINDS[module.modname];
  const contents = module.content ? contentFiles(module, module.content, siteUrl) : undefined;
  return {
    id: module.id,
    url: kind.noViewLink ? undefined : `${siteUrl}/mod/${module.modname}/view.php?id=${module.id}`,
    name: module.name,
    instance: module.instance,
    contextid: module.contextid,
    // Modules without a page of their own always show their description.
    description: module.description ?? (kind.noViewLink ? '' : undefined),
    visible: module.visible ? 1 : 0,
    uservisible: true,
    visibleoncoursepage: module.visibleoncoursepage ? 1 : 0,
    modicon: `${siteUrl}/theme/image.php/boost/${module.modname}/1736900000/monologo?filtericon=1`,
    modname: module.modname,
    purpose: kind.purpose,
    branded: false,
    modplural: kind.plural,
    availability: null,
    indent: 0,
    onclick: '',
    afterlink: null,
    activitybadge: kind.hasActivityBadge ? [] : undefined,
    customdata: module.customdata,
    noviewlink: kind.noViewLink,
    completion: module.completion,
    completiondata: course.enablecompletion && module.completion > 0 ? completionData(module) : undefined,
    downloadcontent: 1,
    dates: module.dates.map((date) => ({ label: date.label, timestamp: date.timestamp, dataid: date.dataid })),
    groupmode: 0,
    contents: contents && (excludeContents ? [] : contents),
    contentsinfo: contents && {
      filescount: contents.length,
      filessize: contents.reduce((sum, file) => sum + file.filesize, 0),
      lastmodified: Math.max(0, ...contents.map((file) => file.timemodified)),
      mimetypes: contents.flatMap((file) => (file.mimetype ? [file.mimetype] : [])),
      repositorytype: '',
    },
  };
}

/** The token user's own completion state: never completed (it is no student). */
function completionData(module: SimModule) {
  const rule = module.completion === 2 ? MODULE_KINDS[module.modname].automaticCompletionRule : undefined;
  return {
    state: 0,
    timecompleted: 0,
    overrideby: null,
    valueused: false,
    hascompletion: true,
    isautomatic: module.completion === 2,
    istrackeduser: false,
    uservisible: true,
    details: rule ? [{ rulename: rule.name, rulevalue: { status: 0, description: rule.description } }] : [],
  };
}

/** What the module's `*_export_contents` callback lists. */
function contentFiles(module: SimModule, content: ModuleContent, siteUrl: string) {
  const pluginFile = (area: string, filename: string) =>
    `${siteUrl}/webservice/pluginfile.php/${module.contextid}/mod_${module.modname}/` +
    `${area}/${filename}?forcedownload=1`;
  switch (content.kind) {
    case 'page':
      return [
        {
          type: 'file',
          filename: 'index.html',
          filepath: '/',
          filesize: 0,
          fileurl: pluginFile('content', 'index.html'),
          timecreated: null,
          timemodified: content.timemodified,
          sortorder: 1,
          mimetype: undefined,
          isexternalfile: undefined,
          userid: null,
          author: null,
          license: null,
        },
      ];
    case 'url':
      return [
        {
          type: 'url',
          filename: module.name,
          filepath: null,
          filesize: 0,
          fileurl: content.url,
          timecreated: null,
          timemodified: content.timemodified,
          sortorder: null,
          mimetype: undefined,
          isexternalfile: undefined,
          userid: null,
          author: null,
          license: null,
        },
      ];
    case 'file':
      return [
        {
          type: 'file',
          filename: content.filename,
          filepath: '/',
          filesize: content.filesize,
          fileurl: pluginFile('content/1', encodeURIComponent(content.filename)),
          timecreated: content.timemodified,
          timemodified: content.timemodified,
          sortorder: 1,
          mimetype: content.mimetype,
          isexternalfile: false,
          userid: 2,
          author: 'Admin User',
          license: 'allrightsreserved',
        },
      ];
  }
}
