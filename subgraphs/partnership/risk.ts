import { RiskLevel } from "../shared/enums";
import { badInput } from "../shared/errors";

/**
 * The ASB victim risk assessment: sixteen yes/no questions on the themes of the victim risk
 * assessments that came out of the Home Office ASB call-handling trials (eight police forces,
 * January to July 2011; "Focus on the Victim: Summary Report on the ASB Call Handling Trials",
 * Home Office, April 2012, whose Annex B gives sample question sets and Annex D Cambridgeshire's
 * risk assessment). The published question text and scoring could not be consulted (the annexes
 * were not found in any source at hand), so the wording, weights and thresholds below are this
 * partnership's own, not a copy of a published matrix; the trials left both to each area. Check
 * them against your local form before relying on them. README ("Victim risk assessment") says the
 * same, and what was searched.
 */
export interface RiskQuestion {
  code: string;
  text: string;
  weight: number;
}

export const VICTIM_RISK_QUESTIONS: readonly RiskQuestion[] = [
  { code: "REPEAT", text: "Has the victim experienced this or similar ASB before?", weight: 1 },
  { code: "TARGETED", text: "Does the victim feel they are being personally targeted?", weight: 2 },
  {
    code: "HATE",
    text: "Could the ASB be motivated by hostility to the victim's race, religion, disability, sexual orientation or gender identity?",
    weight: 3,
  },
  {
    code: "VIOLENCE",
    text: "Has there been violence, or a threat of violence, to the victim or household?",
    weight: 3,
  },
  { code: "PROPERTY", text: "Has the victim's home, vehicle or other property been damaged?", weight: 1 },
  {
    code: "VULNERABLE",
    text: "Is the victim, or anyone in the household, vulnerable through age, disability, or physical or mental ill health?",
    weight: 3,
  },
  {
    code: "HEALTH",
    text: "Is the ASB affecting the victim's physical or mental health (sleep, stress, anxiety, depression)?",
    weight: 2,
  },
  { code: "CHILDREN", text: "Are children in the household affected by the ASB?", weight: 2 },
  {
    code: "ISOLATED",
    text: "Is the victim isolated, without family, friends or others to support them?",
    weight: 2,
  },
  { code: "FEAR", text: "Is the victim afraid to leave their home, or to be in it?", weight: 2 },
  { code: "ROUTINE", text: "Has the victim changed their daily routine to avoid the ASB?", weight: 1 },
  { code: "MOVING", text: "Is the victim thinking of moving home because of the ASB?", weight: 1 },
  { code: "WORSENING", text: "Does the victim feel the ASB is getting worse?", weight: 1 },
  { code: "RETALIATION", text: "Does the victim fear reprisals for reporting the ASB?", weight: 2 },
  { code: "CONFIDENCE", text: "Has the victim lost confidence that agencies will help?", weight: 1 },
  {
    code: "SELF_HARM",
    text: "Has the victim spoken of harming themselves, or of taking matters into their own hands?",
    weight: 3,
  },
];

/** The highest possible score (every answer yes): 30. */
export const MAX_RISK_SCORE = VICTIM_RISK_QUESTIONS.reduce((sum, q) => sum + q.weight, 0);
/** HIGH at this score or above. */
export const HIGH_RISK_FROM = 15;
/** MEDIUM at this score or above (below HIGH_RISK_FROM); STANDARD below. */
export const MEDIUM_RISK_FROM = 8;

export function riskLevelOf(score: number): RiskLevel {
  if (score >= HIGH_RISK_FROM) return RiskLevel.HIGH;
  if (score >= MEDIUM_RISK_FROM) return RiskLevel.MEDIUM;
  return RiskLevel.STANDARD;
}

const ORDER: readonly RiskLevel[] = [RiskLevel.STANDARD, RiskLevel.MEDIUM, RiskLevel.HIGH];

/** The highest of some levels; STANDARD when there are none. */
export function highestRisk(levels: readonly RiskLevel[]): RiskLevel {
  return levels.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), RiskLevel.STANDARD);
}

/**
 * Scores a complete set of answers, one per question; an unknown code, a question answered twice
 * or one left out is refused (BAD_USER_INPUT naming `answers`), so a score always covers every question.
 */
export function scoreAnswers(answers: readonly { question: string; answer: boolean }[]): {
  answers: { question: string; answer: boolean }[];
  score: number;
  level: RiskLevel;
} {
  const byCode = new Map(VICTIM_RISK_QUESTIONS.map((q) => [q.code, q]));
  const given = new Map<string, boolean>();
  answers.forEach((a, i) => {
    const code = a.question.trim();
    if (!byCode.has(code))
      throw badInput(
        "answers",
        `answers[${i}]: unknown question code "${a.question}" (see victimRiskQuestions)`,
      );
    if (given.has(code)) throw badInput("answers", `answers[${i}]: question ${code} is answered twice`);
    given.set(code, a.answer);
  });
  const missing = VICTIM_RISK_QUESTIONS.filter((q) => !given.has(q.code)).map((q) => q.code);
  if (missing.length)
    throw badInput("answers", `every question needs an answer; missing: ${missing.join(", ")}`);
  const ordered = VICTIM_RISK_QUESTIONS.map((q) => ({ question: q.code, answer: given.get(q.code)! }));
  const score = VICTIM_RISK_QUESTIONS.reduce((sum, q) => sum + (given.get(q.code) ? q.weight : 0), 0);
  return { answers: ordered, score, level: riskLevelOf(score) };
}
