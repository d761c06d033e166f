package acme.gen;

import io.verdant.agent.VerdantAgent;

import java.lang.classfile.ClassFile;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.reflect.Method;

/**
 * Child-JVM main: defines a class the agent cannot instrument — one loop whose
 * method is 65,534 bytes long, so the 3-byte checkpoint call would take it past
 * the JVM's 64 KiB limit — in two class loaders, runs it in both, and prints
 * the results and the agent's totals.
 */
public final class HugeMain {
    static final String NAME = "acme.gen.Huge";
    static final int MAX_CODE = 65_534;

    private HugeMain() {
    }

    public static void main(String[] args) throws Exception {
        byte[] bytes = hugeClass();
        for (int i = 0; i < 2; i++) {
            Class<?> c = new OneClassLoader(bytes).loadClass(NAME);
            Method run = c.getMethod("run", int.class);
            System.out.println("huge=" + run.invoke(null, 5));
        }
        System.out.println("STATS " + VerdantAgent.stats());
        System.out.println("FAILED " + VerdantAgent.stats().failed());
    }

    /** The class file, its loop method padded with nops to exactly MAX_CODE bytes. */
    static byte[] hugeClass() {
        int fill = 60_000;
        for (;;) {
            byte[] b = generate(fill);
            int len = ClassFile.of().parse(b).methods().stream()
                    .filter(m -> m.methodName().equalsString("run"))
                    .flatMap(m -> m.findAttribute(java.lang.classfile.Attributes.code()).stream())
                    .mapToInt(CodeAttribute::codeLength).findFirst().orElseThrow();
            if (len == MAX_CODE) {
                return b;
            }
            fill += MAX_CODE - len;
        }
    }

    private static byte[] generate(int fill) {
        return ClassFile.of().build(ClassDesc.of(NAME), clb -> clb
                .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL)
                .withMethodBody("run", MethodTypeDesc.of(ConstantDescs.CD_int, ConstantDescs.CD_int),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, cob -> {
                            var top = cob.newLabel();
                            var end = cob.newLabel();
                            cob.iconst_0().istore(1);
                            cob.labelBinding(top);
                            cob.iload(0).ifThen(java.lang.classfile.Opcode.IFGT, t -> {
                                for (int i = 0; i < fill; i++) {
                                    t.nop();
                                }
                                t.iinc(1, 1).iinc(0, -1).goto_(top);
                            });
                            cob.labelBinding(end);
                            cob.iload(1).ireturn();
                        }));
    }

    private static final class OneClassLoader extends ClassLoader {
        private final byte[] bytes;

        OneClassLoader(byte[] bytes) {
            super("huge", HugeMain.class.getClassLoader());
            this.bytes = bytes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (name.equals(NAME)) {
                return defineClass(name, bytes, 0, bytes.length);
            }
            throw new ClassNotFoundException(name);
        }
    }
}
