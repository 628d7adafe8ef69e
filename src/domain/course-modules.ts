import type { CourseModule, CourseSection, GradeItem } from './moodle-data';

/** A course module that owns at least one `mod` grade item (docs/moodle.md §11). */
export interface CourseActivity {
  cmid: number;
  name: string;
  modName: string;
  /** Hidden, stealth, or in a hidden section: counts in neither progress figure. */
  hidden: boolean;
  /** The grade item whose grade decides whether a student "has a grade" for the activity. */
  mainGradeItemId: number;
}

/** Built once per course and shared by all its students, so per-student work stays proportional to the items. */
export interface CourseActivityIndex {
  /** By cmid, in course-page order. */
  activities: ReadonlyMap<number, CourseActivity>;
}

/**
 * `gradebookItems` are the rows of any one user of the course's gradebook: every user gets the same items.
 * Modules without a `mod` item (labels, pages, a choice…) are not activities, so 100 % stays reachable.
 */
export function buildActivityIndex(sections: CourseSection[], gradebookItems: GradeItem[]): CourseActivityIndex {
  const placement = new Map<number, { cm: CourseModule; sectionVisible: boolean }>();
  const cmidByInstance = new Map<string, number>();
  for (const section of sections) {
    for (const cm of section.modules) {
      placement.set(cm.id, { cm, sectionVisible: section.visible });
      cmidByInstance.set(instanceKey(cm.modName, cm.instance), cm.id);
    }
  }

  const mainItemByCmid = new Map<number, GradeItem>();
  for (const item of gradebookItems) {
    if (item.itemType !== 'mod') continue;
    const cmid = item.cmid ?? cmidOfUnlinkedItem(item, cmidByInstance);
    // No cmid in the contents: the module is being deleted or the token cannot see it.
    if (cmid === undefined || !placement.has(cmid)) continue;
    const main = mainItemByCmid.get(cmid);
    if (main === undefined || (item.itemNumber === 0 && main.itemNumber !== 0)) mainItemByCmid.set(cmid, item);
  }

  const activities = new Map<number, CourseActivity>();
  for (const [cmid, { cm, sectionVisible }] of placement) {
    const mainItem = mainItemByCmid.get(cmid);
    if (mainItem === undefined) continue;
    activities.set(cmid, {
      cmid,
      name: cm.name,
      modName: cm.modName,
      hidden: !(cm.visible && cm.visibleOnCoursePage && sectionVisible),
      mainGradeItemId: mainItem.id,
    });
  }
  return { activities };
}

/** Moodle leaves `cmid` off some `mod` items; module name and instance still identify the module. */
function cmidOfUnlinkedItem(item: GradeItem, cmidByInstance: ReadonlyMap<string, number>): number | undefined {
  if (item.itemModule === null || item.itemInstance === null) return undefined;
  return cmidByInstance.get(instanceKey(item.itemModule, item.itemInstance));
}

function instanceKey(modName: string, instance: number): string {
  return `${modName}:${instance}`;
}
