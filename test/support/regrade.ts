import type { SiteModel } from '../../src/moodle-sim';

/**
 * Gives the student another grade (its item's maximum, or its minimum if it had the maximum) in the
 * course's first graded activity shown on the course page, as a teacher would: the student's next
 * sync has something to write.
 */
export function regrade(site: SiteModel, courseId: number, userId: number): void {
  const graded = site
    .modules(courseId)
    .filter((module) => site.gradebook(courseId).itemsOfModule(module.id).length > 0);
  const module = graded.find((candidate) => candidate.visible && candidate.visibleoncoursepage) ?? graded[0]!;
  const item = site
    .gradebook(courseId)
    .itemsOfModule(module.id)
    .find((candidate) => candidate.itemnumber === 0)!;
  const current = site.gradeOf(courseId, userId, module.id);
  site.grade(courseId, userId, module.id, current === item.grademax ? item.grademin : item.grademax);
}
