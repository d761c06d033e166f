package io.verdant.agent;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodTransform;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.attribute.StackMapTableAttribute;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The transformation itself, with no agent around it: inserts
 * {@code invokestatic io/verdant/Green.checkpoint()V} before every backward
 * branch of every method, and optionally as the first instruction of every
 * method. Pure function of the class bytes; usable at build time as well as from
 * the agent. Thread-safe (no mutable state).
 */
public final class LoopInstrumenter {
    /*
     * Design (for maintainers; users read the Javadoc above)
     *
     * What counts as a back-edge
     *   Code elements stream in bytecode order, and a label element comes before the
     *   instruction it marks. A branch (goto, goto_w, if*) or switch whose target
     *   label has already been seen targets an offset at or before itself: that is a
     *   backward branch, and every loop javac, kotlinc or scalac emits closes with one
     *   (while/for/do, labelled continue, loops in lambdas, which are ordinary
     *   methods, loops in try/finally, whose finally copies are ordinary code, loops in
     *   synchronized blocks). A switch with any backward target gets the checkpoint
     *   before the switch. jsr/ret (pre-Java-6 subroutines) are calls, not loops.
     *   With skipCounted, innermost counted loops with a straight-line body (the
     *   ones the JIT vectorizes, whose trip count is bounded) are left alone; see
     *   CountedLoops.
     *
     * Why the stack map frames stay valid without recomputing them
     *   The inserted instruction neither reads nor writes the operand stack or the
     *   locals, and it is inserted after any label at that position, so the frame
     *   at every existing branch target, handler and uninitialized-object
     *   new site is exactly what it was; no new branch target is created.
     *   The original StackMapTable is therefore re-emitted frame by frame, each frame
     *   bound to its (moved) label, and max_stack/max_locals are recounted. This
     *   needs no class hierarchy at all: nothing is resolved, nothing is loaded.
     *   The inserted call may throw (StackOverflowError, a CancelledException from a
     *   future preemption path): inside a try range it is covered by the same
     *   handlers, and its frame equals that of the branch it precedes, which the
     *   verifier already accepted against those handlers.
     *
     * Except when a method may outgrow 32 KiB
     *   A branch offset that no longer fits in 16 bits is rewritten by the class-file
     *   API as an inverted branch over a goto_w, which creates a new branch target
     *   that the original frames know nothing about. Offsets are bounded by the code
     *   length, so only a method whose new length may exceed 32767 bytes is at risk;
     *   a class with such a method takes the fallback path below. Each checkpoint
     *   adds 3 bytes and may add one more: a tableswitch or lookupswitch after it is
     *   padded to a 4-byte boundary, and k checkpoints since the previous switch
     *   (whose end is aligned before and after) grow that padding by at most k mod 4.
     *
     * Fallback
     *   If re-emitting the original frames fails or is unsafe (a class file the
     *   compiler wrote in an unusual way, a method past 32 KiB), the class is
     *   rebuilt with freshly generated frames, whose
     *   type merges are resolved by parsing class files through the class's own
     *   loader (ClassHierarchyResolver.ofResourceParsing), never by loading classes.
     *   If that fails too, instrument() throws and the caller leaves the class as is.
     */

    /** The safepoint every inserted call targets: {@code io.verdant.Green.checkpoint()}. */
    public static final ClassDesc GREEN = ClassDesc.of("io.verdant.Green");
    /** The name of the safepoint method on {@link #GREEN}. */
    public static final String CHECKPOINT = "checkpoint";
    /*
     * ConstantDescs.CD_void, not ClassDesc.ofDescriptor("V"): the latter initializes the
     * JDK's PrimitiveClassDescImpl before ConstantDescs, whose initializer then reads its
     * still-null constants (ExceptionInInitializerError) in a JVM that has not used
     * ConstantDescs yet, as a build tool's main that instruments first thing.
     */
    private static final MethodTypeDesc VOID = MethodTypeDesc.of(ConstantDescs.CD_void);
    /** Size of {@code invokestatic #index}, plus the switch padding it may add (see "Except when"). */
    private static final int CHECKPOINT_GROWTH = 3 + 1;

    /**
     * What one class got: methods touched and checkpoints inserted, and the new bytes.
     *
     * @param bytes the instrumented class file
     * @param methods methods that got at least one checkpoint
     * @param safepoints checkpoint calls inserted
     */
    public record Result(byte[] bytes, int methods, int safepoints) {
    }

    private final boolean atEntry;
    private final boolean skipCounted;
    private final boolean keepFrames;

    /**
     * An instrumenter that keeps counted loops instrumented.
     *
     * @param atEntry also insert a checkpoint as the first instruction of every
     *                method with code (covers deep recursion without loops)
     */
    public LoopInstrumenter(boolean atEntry) {
        this(atEntry, false, true);
    }

    /**
     * An instrumenter.
     *
     * @param atEntry     as in {@link #LoopInstrumenter(boolean)}
     * @param skipCounted leave innermost counted loops with a straight-line body
     *                    (the loops the JIT vectorizes; bounded trip count) without
     *                    a checkpoint; see {@link CountedLoops}
     */
    public LoopInstrumenter(boolean atEntry, boolean skipCounted) {
        this(atEntry, skipCounted, true);
    }

    /** For tests: {@code keepFrames == false} goes straight to the regenerating fallback. */
    LoopInstrumenter(boolean atEntry, boolean skipCounted, boolean keepFrames) {
        this.atEntry = atEntry;
        this.skipCounted = skipCounted;
        this.keepFrames = keepFrames;
    }

    /**
     * Instruments one class.
     *
     * @param classBytes the class file
     * @param loader     the defining loader, used only by the fallback to read
     *                   class files of supertypes as resources; null means the
     *                   system loader
     * @return the result, or null if the class has nothing to instrument
     * @throws IllegalArgumentException (or another runtime exception of the
     *         class-file API) if the class cannot be instrumented, e.g. a method
     *         would grow past 64 KiB
     */
    public Result instrument(byte[] classBytes, ClassLoader loader) {
        Objects.requireNonNull(classBytes, "classBytes");
        ClassModel model = ClassFile.of().parse(classBytes);
        Map<MethodModel, BitSet> selected = new IdentityHashMap<>();
        int safepoints = 0;
        boolean longBranchesPossible = false;
        for (MethodModel m : model.methods()) {
            if (m.code().isEmpty()) {
                continue;
            }
            Plan plan = plan(m.code().get());
            if (plan.safepoints > 0) {
                selected.put(m, plan.skipped);
                safepoints += plan.safepoints;
                if (m.code().get() instanceof CodeAttribute ca
                        && ca.codeLength() + CHECKPOINT_GROWTH * plan.safepoints > Short.MAX_VALUE) {
                    longBranchesPossible = true;
                }
            }
        }
        int methods = selected.size();
        if (methods == 0) {
            return null;
        }
        RuntimeException keptFramesFailed = null;
        if (keepFrames && !longBranchesPossible) {
            try {
                byte[] out = ClassFile.of(ClassFile.StackMapsOption.DROP_STACK_MAPS)
                        .transformClass(model, transform(selected, true));
                return new Result(out, methods, safepoints);
            } catch (RuntimeException e) {
                keptFramesFailed = e;
            }
        }
        ClassLoader resolverLoader = loader != null ? loader : ClassLoader.getSystemClassLoader();
        ClassHierarchyResolver resolver = ClassHierarchyResolver.ofResourceParsing(resolverLoader);
        byte[] out;
        try {
            out = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(resolver))
                    .transformClass(model, transform(selected, false));
        } catch (RuntimeException generatedFramesFailed) {
            if (keptFramesFailed != null) {
                generatedFramesFailed.addSuppressed(keptFramesFailed);
            }
            throw generatedFramesFailed;
        }
        return new Result(out, methods, safepoints);
    }

    /**
     * Checkpoints this instrumenter would insert into {@code code}.
     *
     * @param code a method's code
     * @return the number of checkpoints
     */
    public int countSafepoints(CodeModel code) {
        return plan(code).safepoints;
    }

    /** Checkpoints to insert, and which back-edges (by their order in the code) to leave alone. */
    private record Plan(int safepoints, BitSet skipped) {
    }

    private Plan plan(CodeModel code) {
        Set<Label> seen = new HashSet<>();
        BitSet skipped = new BitSet();
        List<CodeElement> els = skipCounted ? new ArrayList<>() : null;
        Map<Label, Integer> labelIndex = skipCounted ? new HashMap<>() : null;
        if (skipCounted) {
            for (CodeElement e : code) {
                if (e instanceof LabelTarget t) {
                    labelIndex.put(t.label(), els.size());
                }
                els.add(e);
            }
        }
        int backEdges = 0;
        int i = 0;
        for (CodeElement e : skipCounted ? els : code) {
            if (e instanceof LabelTarget t) {
                seen.add(t.label());
            } else if (isBackEdge(e, seen)) {
                if (skipCounted && CountedLoops.isCountedLeaf(els, labelIndex, i)) {
                    skipped.set(backEdges);
                }
                backEdges++;
            }
            i++;
        }
        return new Plan((atEntry ? 1 : 0) + backEdges - skipped.cardinality(), skipped);
    }

    private ClassTransform transform(Map<MethodModel, BitSet> selected, boolean keepFrames) {
        return (clb, cle) -> {
            if (cle instanceof MethodModel m && selected.containsKey(m)) {
                var frames = keepFrames
                        ? m.code().flatMap(c -> c.findAttribute(Attributes.stackMapTable())).orElse(null)
                        : null;
                BitSet skipped = selected.get(m);
                clb.transformMethod(m, MethodTransform.transformingCode(
                        CodeTransform.ofStateful(() -> new Insert(atEntry, skipped, frames))));
            } else {
                clb.with(cle);
            }
        };
    }

    private static boolean isBackEdge(CodeElement e, Set<Label> seen) {
        return switch (e) {
            case BranchInstruction b -> seen.contains(b.target());
            case TableSwitchInstruction s -> seen.contains(s.defaultTarget()) || anySeen(s.cases(), seen);
            case LookupSwitchInstruction s -> seen.contains(s.defaultTarget()) || anySeen(s.cases(), seen);
            default -> false;
        };
    }

    private static boolean anySeen(Iterable<SwitchCase> cases, Set<Label> seen) {
        for (SwitchCase c : cases) {
            if (seen.contains(c.target())) {
                return true;
            }
        }
        return false;
    }

    /** One method's pass: the labels seen so far decide which branches go backward. */
    private static final class Insert implements CodeTransform {
        private final boolean atEntry;
        private final BitSet skipped;
        private final StackMapTableAttribute frames;
        private final Set<Label> seen = new HashSet<>();
        private int backEdges;

        Insert(boolean atEntry, BitSet skipped, StackMapTableAttribute frames) {
            this.atEntry = atEntry;
            this.skipped = skipped;
            this.frames = frames;
        }

        @Override
        public void atStart(CodeBuilder cob) {
            if (atEntry) {
                cob.invokestatic(GREEN, CHECKPOINT, VOID);
            }
        }

        @Override
        public void accept(CodeBuilder cob, CodeElement e) {
            if (e instanceof LabelTarget t) {
                seen.add(t.label());
            } else if (isBackEdge(e, seen) && !skipped.get(backEdges++)) {
                cob.invokestatic(GREEN, CHECKPOINT, VOID);
            }
            cob.with(e);
        }

        @Override
        public void atEnd(CodeBuilder cob) {
            if (frames != null) {
                cob.with(StackMapTableAttribute.of(frames.entries()));
            }
        }
    }
}
