package io.verdant.agent;

import acme.loops.Battery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(120)
class LoopInstrumenterTest {
    private static final ClassLoader LOADER = LoopInstrumenterTest.class.getClassLoader();
    private static final ClassFile VERIFIER = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
            ClassHierarchyResolver.ofResourceParsing(LOADER)));

    @Test
    void oneCheckpointPerBackEdge() throws IOException {
        LoopInstrumenter loops = new LoopInstrumenter(false);
        ClassModel battery = ClassFile.of().parse(bytes(Battery.class));
        assertThat(count(loops, battery, "whileTrueBreak")).isEqualTo(1);
        assertThat(count(loops, battery, "nestedWhile")).isEqualTo(2);
        assertThat(count(loops, battery, "matmul")).isEqualTo(3);
        assertThat(count(loops, battery, "labelled")).isEqualTo(3);
        assertThat(count(loops, battery, "collatzSteps")).isEqualTo(2);
        assertThat(count(loops, battery, "fib")).isZero();
        LoopInstrumenter counted = new LoopInstrumenter(false, true);
        assertThat(count(counted, battery, "trace")).as("straight-line counted loop").isZero();
        assertThat(count(counted, battery, "countDown")).as("i >= 0, i--").isZero();
        assertThat(count(counted, battery, "matmul")).as("only the innermost loop is skipped").isEqualTo(2);
        assertThat(count(counted, battery, "stepTwo")).as("i += 2 could step over a local bound").isEqualTo(1);
        assertThat(count(counted, battery, "inclusive")).as("i <= n never ends for n = MAX_VALUE").isEqualTo(1);
        assertThat(count(counted, battery, "longLoop")).as("long counter").isEqualTo(1);
        assertThat(count(counted, battery, "whileTrueBreak")).isEqualTo(1);
        assertThat(count(counted, battery, "digitSum")).as("x /= 10 is not a counter").isEqualTo(1);
        assertThat(count(counted, battery, "spinUntil")).isEqualTo(1);
        assertThat(count(counted, battery, "fnv1a")).as("for-each over an array").isZero();
        assertThat(count(counted, battery, "crc32")).as("inner loop counted, outer has a loop inside").isEqualTo(1);
        assertThat(count(counted, ClassFile.of().parse(bytes("acme/loops/Spin")), "forever"))
                .as("endless loops keep theirs").isEqualTo(2);
        LoopInstrumenter entries = new LoopInstrumenter(true);
        assertThat(count(entries, battery, "fib")).isEqualTo(1);
        assertThat(count(entries, battery, "matmul")).isEqualTo(4);
    }

    @Test
    void instrumentedFixturesVerifyAndCallTheCheckpointBeforeEveryBackEdge() throws IOException {
        for (int mode = 0; mode < 8; mode++) {
            boolean entry = (mode & 1) != 0;
            boolean keepFrames = (mode & 2) == 0;
            boolean skipCounted = (mode & 4) != 0;
            LoopInstrumenter loops = new LoopInstrumenter(entry, skipCounted, keepFrames);
            for (String c : new String[] {"acme/loops/Battery", "acme/loops/Battery$Accumulator",
                    "acme/loops/Battery$Prologue", "acme/loops/Battery$CrcTable", "acme/loops/Battery$Weight",
                    "acme/loops/Battery$Summer", "acme/loops/Battery$Span", "acme/loops/Battery$Initialized",
                    "acme/loops/Spin", "acme/loops/NamesMain$Inner"}) {
                LoopInstrumenter.Result r = loops.instrument(bytes(c), LOADER);
                if (skipCounted && r == null) {
                    continue; // every loop of the class is counted (Accumulator's are)
                }
                assertThat(r).as(c).isNotNull();
                assertThat(VERIFIER.verify(r.bytes())).as(c + " entry=" + entry + " keepFrames=" + keepFrames)
                        .isEmpty();
                if (!skipCounted) {
                    assertThat(checkpointsBeforeBackEdges(r.bytes(), entry)).isEqualTo(r.safepoints());
                }
            }
        }
    }

    /**
     * The instrumenter as a build-time tool uses it: the first thing its JVM does.
     * {@code ClassDesc.ofDescriptor("V")} initializes the JDK's primitive class
     * descriptors before {@code ConstantDescs}, whose initializer then reads their
     * still-null constants: ExceptionInInitializerError, then NoClassDefFoundError
     * for good. (The agent is safe: its premain is called by reflection, which
     * initializes ConstantDescs first; so does an {@code --add-opens}.)
     */
    @Test
    void theInstrumenterWorksAsTheFirstThingAJvmDoes() throws Exception {
        ChildJvm.Outcome o = ChildJvm.execBare(List.of("-cp", System.getProperty("java.class.path"),
                "acme.loops.StandaloneMain"), 60);
        assertThat(o.exitCode()).as(o.stderr()).isZero();
        assertThat(o.stdout().strip()).isEqualTo("safepoints=2");
    }

    @Test
    void aClassWithoutLoopsIsNotRewritten() throws IOException {
        assertThat(new LoopInstrumenter(false).instrument(bytes(AgentStats.class), LOADER)).isNull();
    }

    @Test
    void aMethodThatWouldOutgrow64KiBFailsLoudly() {
        byte[] huge = acmeHuge();
        assertThatThrownBy(() -> new LoopInstrumenter(false).instrument(huge, LOADER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Code length");
    }

    /**
     * A loop whose exit branch spans 32,766 bytes: the checkpoint pushes it past the
     * 16-bit offset, the class-file API rewrites it as an inverted branch over a
     * goto_w, and the new branch target needs a frame the original class never had.
     */
    @Test
    void aBranchPushedPastThe16BitOffsetStillVerifiesAndRuns() throws Exception {
        String name = "acme.gen.Wide";
        byte[] wide = ClassFile.of().build(java.lang.constant.ClassDesc.of(name), clb -> clb
                .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL)
                .withMethodBody("run", java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_int,
                                java.lang.constant.ConstantDescs.CD_int),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, cob -> {
                            var top = cob.newLabel();
                            var end = cob.newLabel();
                            cob.iconst_0().istore(1);
                            cob.labelBinding(top);
                            cob.iload(0).ifle(end);
                            for (int i = 0; i < 32_754; i++) {
                                cob.nop();
                            }
                            cob.iinc(1, 2).iinc(0, -1).goto_(top);
                            cob.labelBinding(end);
                            cob.iload(1).ireturn();
                        }));
        LoopInstrumenter.Result r = new LoopInstrumenter(false).instrument(wide, LOADER);
        assertThat(r.safepoints()).isEqualTo(1);
        assertThat(VERIFIER.verify(r.bytes())).isEmpty();
        Class<?> c = new ClassLoader(LOADER) {
            Class<?> define() {
                return defineClass(name, r.bytes(), 0, r.bytes().length);
            }
        }.define();
        assertThat(c.getMethod("run", int.class).invoke(null, 4)).isEqualTo(8);
    }

    /**
     * Loops closed by a tableswitch and a lookupswitch with a backward case (javac never
     * emits one; other compilers and obfuscators may): the checkpoint goes before the
     * switch, with the selector on the operand stack, in every frame mode.
     */
    @Test
    void aSwitchWithABackwardTargetGetsItsCheckpointAndComputesTheSame() throws Exception {
        String name = "acme.gen.SwitchBack";
        byte[] b = ClassFile.of().build(java.lang.constant.ClassDesc.of(name), clb -> clb
                .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL)
                .withMethodBody("run", java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_int,
                                java.lang.constant.ConstantDescs.CD_int),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, cob -> {
                            // s = 0; top: s += n; n--; tableswitch (n > 0 ? 1 : 0) {1: top; else: mid}
                            // mid: if (n <= -1) out; n--; lookupswitch (n) {7: top; -5: mid; else: out}
                            var top = cob.newLabel();
                            var mid = cob.newLabel();
                            var out = cob.newLabel();
                            var one = cob.newLabel();
                            var zero = cob.newLabel();
                            cob.iconst_0().istore(1);
                            cob.labelBinding(top);
                            cob.iload(1).iload(0).iadd().istore(1).iinc(0, -1);
                            cob.iload(0).ifle(zero).iconst_1().goto_(one).labelBinding(zero).iconst_0().labelBinding(one);
                            cob.tableswitch(0, 1, mid, List.of(java.lang.classfile.instruction.SwitchCase.of(0, mid),
                                    java.lang.classfile.instruction.SwitchCase.of(1, top)));
                            cob.labelBinding(mid);
                            cob.iload(0).iconst_m1().if_icmple(out);
                            cob.iinc(0, -1).iload(0).lookupswitch(out, List.of(
                                    java.lang.classfile.instruction.SwitchCase.of(-5, mid),
                                    java.lang.classfile.instruction.SwitchCase.of(7, top)));
                            cob.labelBinding(out);
                            cob.iload(1).ireturn();
                        }));
        Class<?> plain = define(name, b);
        for (int mode = 0; mode < 4; mode++) {
            boolean entry = (mode & 1) != 0;
            LoopInstrumenter.Result r = new LoopInstrumenter(entry, false, (mode & 2) == 0).instrument(b, LOADER);
            assertThat(r.safepoints()).isEqualTo(entry ? 3 : 2);
            assertThat(VERIFIER.verify(r.bytes())).as("mode " + mode).isEmpty();
            assertThat(checkpointsBeforeBackEdges(r.bytes(), entry)).isEqualTo(r.safepoints());
            Class<?> instrumented = define(name, r.bytes());
            for (int n : new int[] {0, 1, 5, 9, 20}) {
                assertThat(instrumented.getMethod("run", int.class).invoke(null, n)).as("mode " + mode + " n=" + n)
                        .isEqualTo(plain.getMethod("run", int.class).invoke(null, n));
            }
        }
        assertThat(plain.getMethod("run", int.class).invoke(null, 9)).as("the loops ran").isEqualTo(45);
    }

    private static Class<?> define(String name, byte[] bytes) {
        return new ClassLoader(LOADER) {
            Class<?> define() {
                return defineClass(name, bytes, 0, bytes.length);
            }
        }.define();
    }

    /**
     * A method of 32,743 bytes with eight loops, each followed by a switch, and a
     * branch over all of it: the eight checkpoints alone keep the method within
     * 32,767 bytes, but each moves the switch after it by 3 bytes, which grows the
     * switch's alignment padding by one; the branch then no longer fits in 16 bits.
     */
    @Test
    void switchPaddingThatPushesABranchPastThe16BitOffsetStillVerifiesAndRuns() throws Exception {
        String name = "acme.gen.Padded";
        for (int lead = 0; lead < 4; lead++) {
            byte[] padded = loopsAndSwitches(name, 8, Short.MAX_VALUE - 3 * 8, lead);
            LoopInstrumenter.Result r = new LoopInstrumenter(false).instrument(padded, LOADER);
            assertThat(r.safepoints()).isEqualTo(8);
            assertThat(VERIFIER.verify(r.bytes())).as("lead " + lead).isEmpty();
            Class<?> c = new ClassLoader(LOADER) {
                Class<?> define() {
                    return defineClass(name, r.bytes(), 0, r.bytes().length);
                }
            }.define();
            assertThat(c.getMethod("run", int.class).invoke(null, 4)).isEqualTo(32);
            assertThat(c.getMethod("run", int.class).invoke(null, 0)).isEqualTo(0);
        }
    }

    /**
     * run(n): 0 if n <= 0 (one branch over the whole method), else {@code loops}
     * loops that each add n to the result, each followed by a one-case tableswitch,
     * then nops up to {@code codeLength} bytes; {@code lead} nops shift the switches.
     */
    private static byte[] loopsAndSwitches(String name, int loops, int codeLength, int lead) {
        int fill = codeLength - 50 * loops;
        for (;;) {
            int nops = fill;
            byte[] b = ClassFile.of().build(java.lang.constant.ClassDesc.of(name), clb -> clb
                    .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL)
                    .withMethodBody("run", java.lang.constant.MethodTypeDesc.of(
                                    java.lang.constant.ConstantDescs.CD_int, java.lang.constant.ConstantDescs.CD_int),
                            ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, cob -> {
                                var end = cob.newLabel();
                                cob.iconst_0().istore(1);
                                cob.iload(0).ifle(end);
                                for (int i = 0; i < lead; i++) {
                                    cob.nop();
                                }
                                for (int loop = 0; loop < loops; loop++) {
                                    var top = cob.newLabel();
                                    var next = cob.newLabel();
                                    cob.iload(0).istore(2);
                                    cob.labelBinding(top);
                                    cob.iinc(1, 1).iinc(2, -1).iload(2).ifgt(top);
                                    cob.iload(1).tableswitch(0, 0, next, List.of(
                                            java.lang.classfile.instruction.SwitchCase.of(0, next)));
                                    cob.labelBinding(next);
                                }
                                for (int i = 0; i < nops; i++) {
                                    cob.nop();
                                }
                                cob.labelBinding(end);
                                cob.iload(1).ireturn();
                            }));
            int len = ClassFile.of().parse(b).methods().stream()
                    .filter(m -> m.methodName().equalsString("run"))
                    .flatMap(m -> m.findAttribute(java.lang.classfile.Attributes.code()).stream())
                    .mapToInt(java.lang.classfile.attribute.CodeAttribute::codeLength).findFirst().orElseThrow();
            if (len == codeLength) {
                return b;
            }
            fill += codeLength - len;
        }
    }

    /**
     * A Java 5 class file (version 49: no stack maps, verified by type inference) with
     * a loop around a jsr to a subroutine that has a loop of its own and ends in ret,
     * as javac 1.4 compiled finally blocks: the loops get their checkpoints, jsr and
     * ret none, and the class loads, verifies and computes the same.
     */
    @Test
    void anOldClassFileWithSubroutinesIsInstrumentedAndComputesTheSame() throws Exception {
        String name = "acme.gen.Subroutines";
        byte[] b = ClassFile.of().build(java.lang.constant.ClassDesc.of(name), clb -> clb
                .withVersion(ClassFile.JAVA_5_VERSION, 0)
                .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER)
                .withMethodBody("run", java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_int,
                                java.lang.constant.ConstantDescs.CD_int),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, cob -> {
                            // s = 0; while (n > 0) { jsr sub; n--; } return s;
                            // sub: astore 3; k = 0; do { s += k; k++; } while (k < 3); s += n; ret 3
                            var top = cob.newLabel();
                            var out = cob.newLabel();
                            var sub = cob.newLabel();
                            var inner = cob.newLabel();
                            cob.iconst_0().istore(1);
                            cob.labelBinding(top);
                            cob.iload(0).ifle(out);
                            cob.with(java.lang.classfile.instruction.DiscontinuedInstruction.JsrInstruction.of(sub));
                            cob.iinc(0, -1).goto_(top);
                            cob.labelBinding(out);
                            cob.iload(1).ireturn();
                            cob.labelBinding(sub);
                            cob.astore(3).iconst_0().istore(2);
                            cob.labelBinding(inner);
                            cob.iload(1).iload(2).iadd().istore(1).iinc(2, 1);
                            cob.iload(2).iconst_3().if_icmplt(inner);
                            cob.iload(1).iload(0).iadd().istore(1);
                            cob.with(java.lang.classfile.instruction.DiscontinuedInstruction.RetInstruction.of(3));
                        }));
        Class<?> plain = defineFresh(name, b);
        for (int mode = 0; mode < 4; mode++) {
            boolean entry = (mode & 1) != 0;
            LoopInstrumenter.Result r = new LoopInstrumenter(entry, false, (mode & 2) == 0).instrument(b, LOADER);
            assertThat(r.safepoints()).as("mode " + mode).isEqualTo(entry ? 3 : 2);
            assertThat(checkpointsBeforeBackEdges(r.bytes(), entry)).isEqualTo(r.safepoints());
            Class<?> instrumented = defineFresh(name, r.bytes());
            for (int n : new int[] {0, 1, 4}) {
                assertThat(instrumented.getMethod("run", int.class).invoke(null, n)).as("mode " + mode + " n=" + n)
                        .isEqualTo(plain.getMethod("run", int.class).invoke(null, n));
            }
        }
        assertThat(plain.getMethod("run", int.class).invoke(null, 4)).as("the loops ran").isEqualTo(4 * 3 + 4 + 3 + 2 + 1);
    }

    /** Defines the class in a loader of its own (a class name can be defined once per loader). */
    private static Class<?> defineFresh(String name, byte[] bytes) {
        return new ClassLoader(LOADER) {
            Class<?> define() {
                return defineClass(name, bytes, 0, bytes.length);
            }
        }.define();
    }

    /** Everything kotlinc put in kotlin-stdlib, and a loop-heavy compressor: instrumented, verified, checked. */
    @Test
    void thirdPartyBytecodeInstrumentsAndVerifies() throws IOException {
        for (String jar : List.of("kotlin-stdlib", "xz-")) {
            Path path = classPathEntry(jar);
            int classes = 0;
            int safepoints = 0;
            List<String> failures = new ArrayList<>();
            LoopInstrumenter loops = new LoopInstrumenter(false);
            try (JarFile jf = new JarFile(path.toFile())) {
                for (Enumeration<JarEntry> en = jf.entries(); en.hasMoreElements(); ) {
                    JarEntry e = en.nextElement();
                    if (!e.getName().endsWith(".class") || e.getName().contains("module-info")
                            || e.getName().startsWith("META-INF/")) {
                        continue;
                    }
                    byte[] b;
                    try (InputStream in = jf.getInputStream(e)) {
                        b = in.readAllBytes();
                    }
                    try {
                        LoopInstrumenter.Result r = loops.instrument(b, LOADER);
                        if (r == null) {
                            continue;
                        }
                        var errors = VERIFIER.verify(r.bytes());
                        if (!errors.isEmpty()) {
                            failures.add(e.getName() + ": " + errors);
                        }
                        int found = checkpointsBeforeBackEdges(r.bytes(), false);
                        if (found != r.safepoints()) {
                            failures.add(e.getName() + ": " + found + " checkpoints before back-edges, "
                                    + r.safepoints() + " reported");
                        }
                        classes++;
                        safepoints += r.safepoints();
                    } catch (RuntimeException ex) {
                        failures.add(e.getName() + ": " + ex);
                    }
                }
            }
            System.out.println(path.getFileName() + ": " + classes + " classes instrumented, " + safepoints
                    + " safepoints, all verified");
            assertThat(failures).as(jar).isEmpty();
            assertThat(classes).as(jar + " classes with loops").isGreaterThan(jar.equals("xz-") ? 20 : 100);
            assertThat(safepoints).isGreaterThan(classes);
        }
    }

    static byte[] acmeHuge() {
        try {
            var m = Class.forName("acme.gen.HugeMain").getDeclaredMethod("hugeClass");
            m.setAccessible(true);
            return (byte[]) m.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Counts back-edges (in the instrumented code) whose preceding instruction is the
     * checkpoint call, plus the entry call, and fails if any back-edge lacks one.
     */
    static int checkpointsBeforeBackEdges(byte[] classBytes, boolean entry) {
        int n = 0;
        ClassModel cm = ClassFile.of().parse(classBytes);
        for (MethodModel m : cm.methods()) {
            if (m.code().isEmpty()) {
                continue;
            }
            Set<Label> seen = new HashSet<>();
            CodeElement previous = null;
            boolean first = true;
            for (CodeElement e : m.code().get()) {
                if (e instanceof LabelTarget t) {
                    seen.add(t.label());
                    continue;
                }
                if (!(e instanceof java.lang.classfile.Instruction)) {
                    continue;
                }
                if (first && entry) {
                    assertThat(isCheckpoint(e)).as(m.methodName() + " entry").isTrue();
                    n++;
                }
                first = false;
                boolean back = switch (e) {
                    case BranchInstruction b -> seen.contains(b.target());
                    case TableSwitchInstruction s -> seen.contains(s.defaultTarget())
                            || s.cases().stream().anyMatch(c -> seen.contains(c.target()));
                    case LookupSwitchInstruction s -> seen.contains(s.defaultTarget())
                            || s.cases().stream().anyMatch(c -> seen.contains(c.target()));
                    default -> false;
                };
                if (back) {
                    assertThat(previous != null && isCheckpoint(previous))
                            .as(cm.thisClass().asInternalName() + "." + m.methodName() + ": " + e).isTrue();
                    n++;
                }
                previous = e;
            }
        }
        return n;
    }

    private static boolean isCheckpoint(CodeElement e) {
        return e instanceof InvokeInstruction i && i.owner().asInternalName().equals("io/verdant/Green")
                && i.name().equalsString("checkpoint") && i.type().equalsString("()V");
    }

    private static int count(LoopInstrumenter loops, ClassModel cm, String method) {
        return cm.methods().stream().filter(m -> m.methodName().equalsString(method))
                .mapToInt(m -> loops.countSafepoints(m.code().orElseThrow())).sum();
    }

    static byte[] bytes(Class<?> c) throws IOException {
        return bytes(c.getName().replace('.', '/'));
    }

    static byte[] bytes(String internalName) throws IOException {
        try (InputStream in = LOADER.getResourceAsStream(internalName + ".class")) {
            assertThat(in).as(internalName).isNotNull();
            return in.readAllBytes();
        }
    }

    static Path classPathEntry(String fragment) {
        for (String p : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (Path.of(p).getFileName().toString().startsWith(fragment) && p.endsWith(".jar")) {
                return Path.of(p);
            }
        }
        throw new AssertionError("no " + fragment + " jar on the test class path");
    }
}
