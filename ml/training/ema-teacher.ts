import * as tf from '@tensorflow/tfjs';

/**
 * The exponential-moving-average teacher of MR-Pretrain and TD-Calib (UMD: `ModelEmaV2`, decay 0.995, updated after
 * every training step over every weight): teacher ← decay·teacher + (1 − decay)·student. It holds its own copies, so
 * the student's optimiser never touches them.
 */
export class EmaTeacher {
  readonly weights = new Map<string, tf.Variable>();

  constructor(
    student: ReadonlyMap<string, tf.Variable>,
    readonly decay = 0.995,
  ) {
    if (!(decay >= 0 && decay < 1)) throw new Error(`An EMA decay is in [0, 1); got ${decay}.`);
    for (const [name, variable] of student) this.weights.set(name, tf.variable(variable, false));
  }

  update(student: ReadonlyMap<string, tf.Variable>): void {
    tf.tidy(() => {
      for (const [name, teacher] of this.weights) {
        const current = student.get(name);
        if (!current) throw new Error(`The student has no weight ${name}.`);
        teacher.assign(teacher.mul(this.decay).add(current.mul(1 - this.decay)));
      }
    });
  }

  dispose(): void {
    for (const weight of this.weights.values()) weight.dispose();
  }
}
