import { IdSequence } from '../id-sequence';
import { MODULE_KINDS, urlCustomData } from '../module-kinds';
import type { ModName, ModuleContent, SimCourse, SimModule, SimSection } from '../records';
import type { ActivityInput, SectionInput } from '../site-inputs';
import type { SiteChanges } from './changes';
import { NONE } from './shared-empty-list';

/** Moodle numbers sections, modules, contexts and each module type's instances site-wide, not per course. */
export class ContentIds {
  readonly section = new IdSequence(1);
  readonly module = new IdSequence(1);
  private readonly instances = new Map<ModName, IdSequence>();

  /** Users and modules share Moodle's context ids. */
  constructor(readonly context: IdSequence) {}

  instance(modname: ModName): IdSequence {
    let sequence = this.instances.get(modname);
    if (!sequence) this.instances.set(modname, (sequence = new IdSequence(1)));
    return sequence;
  }
}

const DEFAULT_SECTIONS: readonly SectionInput[] = [
  { name: 'General' },
  ...[1, 2, 3, 4].map((n) => ({ name: `Topic ${n}` })),
];

/**
 * One course's page: its sections and the modules in them. The visibility
 * setters keep Moodle's side effects (hiding a section hides its modules and
 * remembers their state), which is why records change only through them.
 * They tell a change only when there is one, as Moodle fires its
 * course_module_updated and course_section_updated events.
 */
export class CourseContents {
  readonly sections: SimSection[];
  private readonly modules = new Map<number, SimModule>();

  constructor(
    private readonly course: SimCourse,
    private readonly ids: ContentIds,
    private readonly changes: SiteChanges,
    sections: readonly SectionInput[] = DEFAULT_SECTIONS,
  ) {
    this.sections = sections.map((section, position) => ({
      id: ids.section.take(section.id),
      section: position,
      name: section.name,
      summary: section.summary ?? '',
      visible: true,
      cmids: [],
    }));
  }

  /** All modules in course-page order. */
  orderedModules(): SimModule[] {
    return this.sections.flatMap((section) => section.cmids.map((cmid) => this.module(cmid)));
  }

  module(cmid: number): SimModule {
    const module = this.modules.get(cmid);
    if (!module) throw new Error(`course ${this.course.id} has no module ${cmid}`);
    return module;
  }

  /** The module only; its grade items belong to the gradebook. */
  addActivity(input: ActivityInput): SimModule {
    const section = this.section(input.section);
    const kind = MODULE_KINDS[input.modname];
    const visible = input.visible ?? true;
    const content = input.content ?? defaultContent(input.modname, input.name, this.course.timecreated);
    const module: SimModule = {
      id: this.ids.module.take(input.id),
      course: this.course.id,
      sectionnum: section.section,
      modname: input.modname,
      name: input.name,
      instance: this.ids.instance(input.modname).take(input.instance),
      contextid: this.ids.context.take(input.contextid),
      // Moodle hides what is added to a hidden section and remembers the wish for when it is shown.
      visible: visible && section.visible,
      visibleold: visible,
      visibleoncoursepage: input.visibleoncoursepage ?? true,
      description: input.description,
      completion: input.completion ?? (kind.automaticCompletionRule ? 2 : 0),
      customdata: input.customdata ?? (content?.kind === 'url' ? urlCustomData(content.url) : kind.defaultCustomData),
      dates: input.dates ?? NONE,
      content,
    };
    if (this.modules.has(module.id)) throw new Error(`module ${module.id} exists`);
    this.modules.set(module.id, module);
    section.cmids.push(module.id);
    return module;
  }

  setActivityVisible(cmid: number, visible: boolean): void {
    this.updateModule(cmid, (module) => {
      module.visible = visible;
      module.visibleold = visible;
    });
  }

  /** Stealth = available to students but not shown on the course page (visible stays 1). */
  setActivityStealth(cmid: number, stealth: boolean): void {
    this.updateModule(cmid, (module) => {
      module.visibleoncoursepage = !stealth;
      if (stealth) {
        module.visible = true;
        module.visibleold = true;
      }
    });
  }

  /** Hiding a section hides its modules and remembers their state; showing restores it (Moodle's visibleold). */
  setSectionVisible(sectionNumber: number, visible: boolean): void {
    const section = this.section(sectionNumber);
    if (section.visible === visible) return;
    section.visible = visible;
    for (const cmid of section.cmids) {
      const module = this.module(cmid);
      if (visible) {
        module.visible = module.visibleold;
      } else {
        module.visibleold = module.visible;
        module.visible = false;
      }
    }
    this.changes.tell({ kind: 'section-updated', courseId: this.course.id, sectionId: section.id, sectionNumber });
  }

  /** Tells the change if what clients see changed, as Moodle's set_coursemodule_visible fires only then. */
  private updateModule(cmid: number, update: (module: SimModule) => void): void {
    const module = this.module(cmid);
    const seen = (shown: SimModule) => `${shown.visible}/${shown.visibleoncoursepage}`;
    const before = seen(module);
    update(module);
    if (seen(module) !== before) this.changes.tell({ kind: 'activity-updated', courseId: this.course.id, cmid });
  }

  private section(sectionNumber: number): SimSection {
    const section = this.sections[sectionNumber];
    if (!section) throw new Error(`course ${this.course.id} has no section ${sectionNumber}`);
    return section;
  }
}

/** What a resource hands out when the test does not say: core_course_get_contents lists files for these. */
function defaultContent(modname: ModName, name: string, time: number): ModuleContent | undefined {
  switch (modname) {
    case 'page':
      return { kind: 'page', timemodified: time };
    case 'url':
      return {
        kind: 'url',
        url: `https://www.example.org/${encodeURIComponent(name.toLowerCase())}`,
        timemodified: time,
      };
    case 'resource':
      return {
        kind: 'file',
        filename: 'handout.pdf',
        mimetype: 'application/pdf',
        filesize: 184_320,
        timemodified: time,
      };
    default:
      return undefined;
  }
}
