// Distillation: a variant on a pricier model passes, with paired evidence, cases the baseline's smaller model
// fails. Its passing outputs can be the training answers for the smaller model (the seed's "from GPT-4 to
// GPT-3.5"): the card names the teacher and the student, and the export takes the teacher's outputs.

import type { AdviseContext, Finding, Rule } from '../rule';
import type { RunSignals } from '../signals';
import { confidence } from '../rule';
import { ADVISOR_COMMANDS, commandAction } from '../commands';
import { fineTuneSignals } from '../fineTuneSignals';
import { formatP } from '../stats';

export const meta = {
  id: 'distillation',
  description: 'A bigger model passes what the small one fails: distil the teacher variant into the student.',
  kinds: ['fine-tuning'],
} satisfies Rule['meta'];

export function check(s: RunSignals, ctx: AdviseContext): Finding[] {
  const d = fineTuneSignals(s, ctx).distillation;
  if (!d) return [];
  const { teacher, student, pair } = d;
  const remaining = student.failed;
  return [
    {
      rule: meta.id,
      kind: 'fine-tuning',
      confidence: confidence({ prior: 0.65, p: pair.p, cases: s.caseCount, errorShare: Math.max(student.errorShare, teacher.errorShare) }),
      title: `Distil: teacher "${teacher.name}" (${teacher.model}) → student "${student.name}" (${student.model})`,
      why:
        `${teacher.name} (${teacher.model}) passes ${pair.fixed.length} cases that ${student.name} (${student.model}) fails, and fails ${pair.broken.length} it passes ` +
        `(${formatP(pair.p)}). Fine-tune the student on the teacher's passing outputs: it learns the teacher's behaviour at the student's price. ` +
        'Distillation copies behaviour, not knowledge the student never sees in its prompt.',
      evidence: {
        teacher: teacher.name,
        teacherModel: teacher.model,
        student: student.name,
        studentModel: student.model,
        fixed: pair.fixed,
        broken: pair.broken,
        pValue: Math.round(pair.p * 1000) / 1000,
        cases: pair.fixed,
      },
      actions: [
        commandAction(ADVISOR_COMMANDS.exportFineTune, `Export the teacher's outputs for the student (${student.name})`, [{ teacher: teacher.name, variant: student.name }]),
        `CLI: prompt-ladder finetune <file> --teacher ${teacher.name} --variant ${student.name}`,
      ],
      priority: 0,
      weight: remaining ? pair.fixed.length / remaining : 0,
    },
  ];
}

export const rule: Rule = { meta, check };
