package io.verdant.agent;

import java.lang.classfile.CodeElement;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.Opcode;
import java.lang.classfile.TypeKind;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recognises innermost counted loops with a straight-line body, the loops the
 * JIT vectorizes: {@code for (int i = a; i < n; i++) { ...no branch, call, switch,
 * monitor or throw... }}. Used only with the {@code skipCounted=true} option,
 * which leaves these loops without a checkpoint, because a checkpoint (a
 * volatile read) inside them stops C2 from vectorizing them (measured: see
 * BENCHMARKS.md), while their trip count is bounded anyway.
 *
 * <pre>
 * A back-edge at index b, jumping to the label at index t, is a counted leaf loop iff
 *   1. it is a branch, not a switch, and between t and b there is no goto, no
 *      switch, no invoke, no monitor, no athrow, no return, no jsr/ret, and exactly
 *      one conditional branch in all (the back-edge itself included): the exit test;
 *   2. a conditional that is not the back-edge must jump out of [t, b];
 *   3. the exit test compares an int local v with an invariant bound: a constant,
 *      an int local not written in the loop, or arraylength of a reference local
 *      not written in the loop; "if&lt;cond&gt;" compares v with 0;
 *   4. v is written in the loop by exactly one iinc v,c and by no store;
 *   5. the loop continues while v &lt; bound with c = +1, or v &gt; bound with c = -1,
 *      or v &lt;= K / v &gt;= K for a constant K that v cannot step over (no wrap-around).
 * Then every iteration runs the exit test and moves v one step toward the bound:
 * the loop ends after at most 2^31 iterations. Anything else keeps its checkpoint.
 * </pre>
 */
final class CountedLoops {
    private CountedLoops() {
    }

    private enum Rel { LT, LE, GT, GE, EQ, NE }

    /** Whether the back-edge at {@code b} closes a counted leaf loop (see the class comment). */
    static boolean isCountedLeaf(List<CodeElement> els, Map<Label, Integer> labelIndex, int b) {
        if (!(els.get(b) instanceof BranchInstruction back)) {
            return false;
        }
        Integer tIndex = labelIndex.get(back.target());
        if (tIndex == null) {
            return false;
        }
        int t = tIndex;
        int test = -1;
        Map<Integer, Integer> increments = new HashMap<>();
        Map<Integer, Integer> incrementCount = new HashMap<>();
        Set<Integer> stored = new HashSet<>();
        for (int j = t; j <= b; j++) {
            if (!(els.get(j) instanceof Instruction x)) {
                continue;
            }
            switch (x) {
                case BranchInstruction br -> {
                    if (isGoto(br.opcode())) {
                        if (j != b) {
                            return false;
                        }
                    } else {
                        if (test >= 0) {
                            return false;
                        }
                        test = j;
                    }
                }
                case IncrementInstruction inc -> {
                    increments.put(inc.slot(), inc.constant());
                    incrementCount.merge(inc.slot(), 1, Integer::sum);
                }
                case StoreInstruction st -> {
                    stored.add(st.slot());
                    if (st.typeKind().slotSize() == 2) {
                        stored.add(st.slot() + 1);
                    }
                }
                default -> {
                    if (!isStraightLine(x.opcode())) {
                        return false;
                    }
                }
            }
        }
        if (test < 0) {
            return false;
        }
        BranchInstruction tb = (BranchInstruction) els.get(test);
        boolean continueWhenTaken = test == b;
        if (!continueWhenTaken) {
            Integer target = labelIndex.get(tb.target());
            if (target == null || (target >= t && target <= b)) {
                return false;
            }
        }
        Rel taken = relation(tb.opcode());
        if (taken == null) {
            return false;
        }
        // Operands: the right one is just before the branch, the left one before it.
        int k = previousInstruction(els, test, t);
        Operand right;
        Operand left;
        if (isCompareWithZero(tb.opcode())) {
            right = new Operand(Kind.CONST, 0, 0);
            left = operandEndingAt(els, k, t);
        } else {
            right = operandEndingAt(els, k, t);
            left = right == null ? null : operandEndingAt(els, previousInstruction(els, right.start, t), t);
        }
        if (left == null || right == null) {
            return false;
        }
        Operand v;
        Operand bound;
        Rel rel;
        if (isInduction(left, increments, incrementCount, stored)) {
            v = left;
            bound = right;
            rel = taken;
        } else if (isInduction(right, increments, incrementCount, stored)) {
            v = right;
            bound = left;
            rel = flip(taken);
        } else {
            return false;
        }
        if (!isInvariant(bound, increments, stored)) {
            return false;
        }
        Rel cont = continueWhenTaken ? rel : negate(rel);
        int step = increments.get(v.value);
        return switch (cont) {
            case LT -> step == 1 || (bound.kind == Kind.CONST && step > 0 && bound.value <= Integer.MAX_VALUE - step + 1);
            case GT -> step == -1 || (bound.kind == Kind.CONST && step < 0 && bound.value >= Integer.MIN_VALUE - step - 1);
            case LE -> bound.kind == Kind.CONST && step > 0 && bound.value <= Integer.MAX_VALUE - step;
            case GE -> bound.kind == Kind.CONST && step < 0 && bound.value >= Integer.MIN_VALUE - step;
            default -> false;
        };
    }

    private enum Kind { LOCAL, ARRAY_LENGTH, CONST }

    /** An int operand: a local load, arraylength of a reference local, or a constant; start = its first index. */
    private record Operand(Kind kind, int value, int start) {
    }

    private static Operand operandEndingAt(List<CodeElement> els, int k, int t) {
        if (k < t) {
            return null;
        }
        return switch (els.get(k)) {
            case LoadInstruction ld when ld.typeKind() == TypeKind.INT -> new Operand(Kind.LOCAL, ld.slot(), k);
            case ConstantInstruction c when c.constantValue() instanceof Integer i -> new Operand(Kind.CONST, i, k);
            case Instruction i when i.opcode() == Opcode.ARRAYLENGTH -> {
                int r = previousInstruction(els, k, t);
                yield r >= t && els.get(r) instanceof LoadInstruction ld && ld.typeKind() == TypeKind.REFERENCE
                        ? new Operand(Kind.ARRAY_LENGTH, ld.slot(), r) : null;
            }
            default -> null;
        };
    }

    private static int previousInstruction(List<CodeElement> els, int k, int t) {
        for (int j = k - 1; j >= t; j--) {
            if (els.get(j) instanceof Instruction) {
                return j;
            }
            if (els.get(j) instanceof LabelTarget) {
                return -1; // a jump may land between the operands: not a simple expression
            }
        }
        return -1;
    }

    private static boolean isInduction(Operand o, Map<Integer, Integer> increments,
                                       Map<Integer, Integer> incrementCount, Set<Integer> stored) {
        return o.kind == Kind.LOCAL && incrementCount.getOrDefault(o.value, 0) == 1
                && increments.get(o.value) != 0 && !stored.contains(o.value);
    }

    private static boolean isInvariant(Operand o, Map<Integer, Integer> increments, Set<Integer> stored) {
        return switch (o.kind) {
            case CONST -> true;
            case LOCAL, ARRAY_LENGTH -> !increments.containsKey(o.value) && !stored.contains(o.value);
        };
    }

    private static boolean isGoto(Opcode op) {
        return op == Opcode.GOTO || op == Opcode.GOTO_W;
    }

    private static boolean isCompareWithZero(Opcode op) {
        return switch (op) {
            case IFEQ, IFNE, IFLT, IFGE, IFGT, IFLE -> true;
            default -> false;
        };
    }

    private static Rel relation(Opcode op) {
        return switch (op) {
            case IFLT, IF_ICMPLT -> Rel.LT;
            case IFLE, IF_ICMPLE -> Rel.LE;
            case IFGT, IF_ICMPGT -> Rel.GT;
            case IFGE, IF_ICMPGE -> Rel.GE;
            case IFEQ, IF_ICMPEQ -> Rel.EQ;
            case IFNE, IF_ICMPNE -> Rel.NE;
            default -> null;
        };
    }

    private static Rel flip(Rel r) {
        return switch (r) {
            case LT -> Rel.GT;
            case LE -> Rel.GE;
            case GT -> Rel.LT;
            case GE -> Rel.LE;
            case EQ, NE -> r;
        };
    }

    private static Rel negate(Rel r) {
        return switch (r) {
            case LT -> Rel.GE;
            case LE -> Rel.GT;
            case GT -> Rel.LE;
            case GE -> Rel.LT;
            case EQ -> Rel.NE;
            case NE -> Rel.EQ;
        };
    }

    /** Instructions that neither branch, call, synchronize, throw nor return. */
    private static boolean isStraightLine(Opcode op) {
        return switch (op.kind()) {
            case BRANCH, TABLE_SWITCH, LOOKUP_SWITCH, INVOKE, INVOKE_DYNAMIC, MONITOR, THROW_EXCEPTION, RETURN,
                 DISCONTINUED_JSR, DISCONTINUED_RET -> false;
            default -> true;
        };
    }
}
