import type { SiteModel } from '../../src/moodle-sim';

/**
 * A student's progress computed independently of the service, from the simulator's model read directly
 * (docs/product.md "Enrollment sync" step 2): activities graded ÷ activities a student can see.
 */
export function expectedProgress(site: SiteModel, courseId: number, userId: number) {
  const items = site.gradeItems(courseId);
  const sectionVisible = new Map(
    site.sections(courseId).flatMap((section) => section.cmids.map((cmid) => [cmid, section.visible])),
  );
  let graded = 0;
  let total = 0;
  for (const module of site.modules(courseId)) {
    const modItems = items.filter((item) => item.itemtype === 'mod' && item.cmid === module.id);
    const main = modItems.find((item) => item.itemnumber === 0) ?? modItems[0];
    const visible = module.visible && module.visibleoncoursepage && sectionVisible.get(module.id);
    if (main === undefined || !visible) continue;
    total += 1;
    if (site.gradeOf(courseId, userId, module.id, main.itemnumber ?? 0) !== null) graded += 1;
  }
  return { graded, total, percent: total === 0 ? 0 : Math.round((graded * 10_000) / total) / 100 };
}
