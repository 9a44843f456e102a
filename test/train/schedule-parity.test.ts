// Learning-rate schedules against torch.optim.lr_scheduler itself, where python3-torch is installed.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { stepDecay, exponentialDecay, cosineAnnealing, oneCycle } from "../../src/train/index.js";

const PYTHON = "/usr/bin/python3";
const torchAvailable = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" }).status === 0;

const SCRIPT = String.raw`
import json, torch
from torch.optim import lr_scheduler as S
def rates(make, steps, lr=0.1):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    s = make(opt); out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"]); opt.step(); s.step()
    return out
def momenta(make, steps, lr=0.1):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    s = make(opt); out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["momentum"]); opt.step(); s.step()
    return out
print(json.dumps({
  "onecycleMomentum": momenta(lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=50), 50),
  "onecycleMomentumCustom": momenta(lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=37, pct_start=0.25, base_momentum=0.8, max_momentum=0.9), 37),
  "step": rates(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 10),
  "exponential": rates(lambda o: S.ExponentialLR(o, gamma=0.9), 10),
  "cosine": rates(lambda o: S.CosineAnnealingLR(o, T_max=8, eta_min=0.001), 9),
  "onecycle": rates(lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=50, cycle_momentum=False), 50),
}))
`;

test("schedules match torch.optim.lr_scheduler step by step", { skip: !torchAvailable }, () => {
  const py = spawnSync(PYTHON, ["-c", SCRIPT], { encoding: "utf8" });
  assert.equal(py.status, 0, py.stderr);
  const torch = JSON.parse(py.stdout) as Record<string, number[]>;
  const ours: Record<string, number[]> = {
    step: Array.from({ length: 10 }, (_, e) => stepDecay({ stepSize: 3, gamma: 0.5 }).rate(e, 0.1)),
    exponential: Array.from({ length: 10 }, (_, e) => exponentialDecay({ gamma: 0.9 }).rate(e, 0.1)),
    cosine: Array.from({ length: 9 }, (_, e) => cosineAnnealing({ periodEpochs: 8, minRate: 0.001 }).rate(e, 0.1)),
    onecycle: Array.from({ length: 50 }, (_, s) => oneCycle({ maxRate: 0.2, totalSteps: 50 }).rate(s, 0.1)),
    onecycleMomentum: Array.from({ length: 50 }, (_, s) => oneCycle({ maxRate: 0.2, totalSteps: 50 }).momentum!(s, 0.9)),
    onecycleMomentumCustom: Array.from({ length: 37 }, (_, s) =>
      oneCycle({ maxRate: 0.2, totalSteps: 37, pctStart: 0.25, baseMomentum: 0.8, maxMomentum: 0.9 }).momentum!(s, 0.9)),
  };
  for (const name of Object.keys(ours)) {
    assert.equal(ours[name].length, torch[name].length, name);
    ours[name].forEach((v, i) => assert.ok(Math.abs(v - torch[name][i]) < 1e-9, `${name}[${i}]: ${v} vs PyTorch ${torch[name][i]}`));
  }
});
