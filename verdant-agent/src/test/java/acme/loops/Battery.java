package acme.loops;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Loop-heavy functions covering what javac emits around back-edges: for, while,
 * do-while, for-each over arrays and iterables, nested and labelled loops with
 * break and continue, switch statements and expressions inside loops, loops in
 * lambdas, loops inside try/catch/finally and synchronized, loops in
 * constructors (also before super(...)), recursion, exceptions thrown out of
 * loops, loops in static and instance initializers, an enum's constructor,
 * an interface's default and static methods, a record's compact constructor,
 * a synchronized method, and inside switch expressions that are arguments of a
 * constructor (an uninitialized object on the operand stack). {@link #results()} maps each function's name to its result.
 */
public final class Battery {
    private Battery() {
    }

    public static Map<String, String> results() {
        Map<String, Supplier<Object>> fns = new LinkedHashMap<>();
        fns.put("bubbleSort", () -> Arrays.toString(bubbleSort(data(300, 1))));
        fns.put("quickSort", () -> Arrays.hashCode(quickSort(data(20_000, 2))));
        fns.put("insertionSort", () -> Arrays.hashCode(insertionSort(data(2_000, 3))));
        fns.put("mergeSort", () -> Arrays.hashCode(mergeSort(data(20_000, 4))));
        fns.put("fnv1a", () -> fnv1a("the quick brown fox jumps over the lazy dog".repeat(200)));
        fns.put("crc32", () -> crc32("verdant".repeat(5_000).getBytes(StandardCharsets.UTF_8)));
        fns.put("matmul", () -> Arrays.deepHashCode(matmul(matrix(40, 5), matrix(40, 6))));
        fns.put("matmulDouble", () -> Double.toString(trace(matmulDouble(40))));
        fns.put("stringBuild", Battery::stringBuild);
        fns.put("fib", () -> fib(24));
        fns.put("ackermann", () -> ackermann(2, 300));
        fns.put("hanoi", () -> hanoi(16, 0, 2, 1));
        fns.put("throwFromLoop", Battery::throwFromLoop);
        fns.put("catchInsideLoop", Battery::catchInsideLoop);
        fns.put("finallyLoops", () -> finallyLoops(200));
        fns.put("labelled", () -> labelled(60));
        fns.put("switchInLoop", () -> switchInLoop(10_000));
        fns.put("stringSwitchInLoop", () -> stringSwitchInLoop(3_000));
        fns.put("patternSwitchInLoop", () -> patternSwitchInLoop(3_000));
        fns.put("doWhile", () -> collatzSteps(1_000));
        fns.put("whileTrueBreak", () -> whileTrueBreak(1 << 20));
        fns.put("forEachIterable", Battery::forEachIterable);
        fns.put("iterator", Battery::iteratorLoop);
        fns.put("lambdas", Battery::lambdas);
        fns.put("streams", () -> IntStream.range(0, 10_000).filter(i -> i % 3 == 0).map(Battery::digitSum).sum());
        fns.put("synchronizedLoop", Battery::synchronizedLoop);
        fns.put("constructor", () -> new Accumulator(1_000).total);
        fns.put("constructorBeforeSuper", () -> new Prologue(500).value);
        fns.put("sieve", () -> sieve(100_000));
        fns.put("longLoop", () -> longLoop(1_000_000L));
        fns.put("nestedWhile", () -> nestedWhile(300));
        fns.put("countdownLatchFree", () -> spinUntil(1_000_000));
        fns.put("kotlinStdlib", Battery::kotlinStdlib);
        fns.put("countedShapes", () -> stepTwo(1_001) + ":" + inclusive(1_000) + ":" + countDown(data(1_000, 7)));
        fns.put("staticInitializer", () -> CrcTable.TABLE[77] + ":" + CrcTable.TABLE[255]);
        fns.put("enumConstructor", () -> Weight.LIGHT.squares + ":" + Weight.HEAVY.squares);
        fns.put("interfaceMethods", () -> new Summer() { }.sum(100) + ":" + Summer.twice(40));
        fns.put("recordCompactConstructor", () -> new Span(90, 20).length());
        fns.put("instanceInitializer", () -> new Initialized().field);
        fns.put("synchronizedMethod", () -> synchronizedMethod(5_000));
        fns.put("loopInArgumentOfNew", () -> loopInArgumentOfNew("a", 7) + ":" + loopInArgumentOfNew("b", "hello")
                + ":" + loopInArgumentOfNew("c", 2));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Supplier<Object>> e : fns.entrySet()) {
            String v;
            try {
                v = String.valueOf(e.getValue().get());
            } catch (RuntimeException | Error t) {
                v = "threw " + t;
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    static int[] data(int n, long seed) {
        Random r = new Random(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(1_000_000) - 500_000;
        }
        return a;
    }

    static int[] bubbleSort(int[] a) {
        boolean swapped;
        do {
            swapped = false;
            for (int i = 1; i < a.length; i++) {
                if (a[i - 1] > a[i]) {
                    int t = a[i];
                    a[i] = a[i - 1];
                    a[i - 1] = t;
                    swapped = true;
                }
            }
        } while (swapped);
        return a;
    }

    static int[] insertionSort(int[] a) {
        for (int i = 1; i < a.length; i++) {
            int x = a[i];
            int j = i - 1;
            while (j >= 0 && a[j] > x) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
        return a;
    }

    static int[] quickSort(int[] a) {
        quickSort(a, 0, a.length - 1);
        return a;
    }

    private static void quickSort(int[] a, int lo, int hi) {
        while (lo < hi) {
            int p = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < p) {
                    i++;
                }
                while (a[j] > p) {
                    j--;
                }
                if (i <= j) {
                    int t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (j - lo < hi - i) {
                quickSort(a, lo, j);
                lo = i;
            } else {
                quickSort(a, i, hi);
                hi = j;
            }
        }
    }

    static int[] mergeSort(int[] a) {
        if (a.length < 2) {
            return a;
        }
        int[] l = mergeSort(Arrays.copyOfRange(a, 0, a.length / 2));
        int[] r = mergeSort(Arrays.copyOfRange(a, a.length / 2, a.length));
        int i = 0, j = 0, k = 0;
        while (i < l.length && j < r.length) {
            a[k++] = l[i] <= r[j] ? l[i++] : r[j++];
        }
        while (i < l.length) {
            a[k++] = l[i++];
        }
        while (j < r.length) {
            a[k++] = r[j++];
        }
        return a;
    }

    static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (char c : s.toCharArray()) {
            h ^= c;
            h *= 0x100000001b3L;
        }
        return h;
    }

    static long crc32(byte[] data) {
        int crc = 0xFFFFFFFF;
        for (byte b : data) {
            crc ^= b & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc >>> 1) ^ (0xEDB88320 & -(crc & 1));
            }
        }
        return ~crc & 0xFFFFFFFFL;
    }

    static int[][] matrix(int n, long seed) {
        Random r = new Random(seed);
        int[][] m = new int[n][n];
        for (int[] row : m) {
            for (int j = 0; j < n; j++) {
                row[j] = r.nextInt(100);
            }
        }
        return m;
    }

    static int[][] matmul(int[][] a, int[][] b) {
        int n = a.length;
        int[][] c = new int[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                int aik = a[i][k];
                for (int j = 0; j < n; j++) {
                    c[i][j] += aik * b[k][j];
                }
            }
        }
        return c;
    }

    static double[][] matmulDouble(int n) {
        double[][] a = new double[n][n];
        double[][] b = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = Math.sin(i + j);
                b[i][j] = Math.cos(i - j);
            }
        }
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += a[i][k] * b[k][j];
                }
                c[i][j] = s;
            }
        }
        return c;
    }

    static double trace(double[][] m) {
        double t = 0;
        for (int i = 0; i < m.length; i++) {
            t += m[i][i];
        }
        return t;
    }

    static String stringBuild() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            if (i % 15 == 0) {
                sb.append("FizzBuzz");
            } else if (i % 5 == 0) {
                sb.append("Buzz");
            } else if (i % 3 == 0) {
                sb.append("Fizz");
            } else {
                sb.append(i);
            }
            sb.append(',');
        }
        String s = "";
        for (int i = 0; i < 50; i++) {
            s += (char) ('a' + i % 26);
        }
        return sb.length() + ":" + sb.toString().hashCode() + ":" + s;
    }

    static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    static long ackermann(long m, long n) {
        while (m != 0) {
            if (n == 0) {
                n = 1;
            } else {
                n = ackermann(m, n - 1);
            }
            m--;
        }
        return n + 1;
    }

    static long hanoi(int n, int from, int to, int via) {
        if (n == 0) {
            return 0;
        }
        return hanoi(n - 1, from, via, to) + 1 + hanoi(n - 1, via, to, from);
    }

    static String throwFromLoop() {
        int reached = 0;
        try {
            for (int i = 0; ; i++) {
                reached = i;
                if (i * i > 5_000) {
                    throw new IllegalStateException("stop at " + i);
                }
            }
        } catch (IllegalStateException e) {
            return e.getMessage() + "/" + reached;
        }
    }

    static String catchInsideLoop() {
        int caught = 0;
        long sum = 0;
        for (int i = 0; i < 1_000; i++) {
            try {
                if (i % 7 == 0) {
                    throw new ArithmeticException("seven " + i);
                }
                sum += 100 / (i % 13);
            } catch (ArithmeticException e) {
                caught++;
                sum -= e.getMessage().length();
            }
        }
        return caught + ":" + sum;
    }

    static long finallyLoops(int n) {
        long acc = 0;
        for (int i = 0; i < n; i++) {
            try {
                for (int j = 0; j < i; j++) {
                    if (j == 50) {
                        continue;
                    }
                    if (j > 150) {
                        break;
                    }
                    acc += j;
                }
            } finally {
                int k = 0;
                while (k < 3) {
                    acc ^= (long) k << i % 60;
                    k++;
                }
            }
        }
        return acc;
    }

    static long labelled(int n) {
        long count = 0;
        outer:
        for (int i = 0; i < n; i++) {
            middle:
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    if (k > j) {
                        continue middle;
                    }
                    if ((i + j + k) % 17 == 0) {
                        continue outer;
                    }
                    if (i * j * k > 100_000) {
                        break outer;
                    }
                    count += i ^ j ^ k;
                }
            }
        }
        return count;
    }

    @SuppressWarnings("fallthrough") // deliberate: fall-through is one of the shapes under test
    static long switchInLoop(int n) {
        long acc = 0;
        for (int i = 0; i < n; i++) {
            switch (i % 6) {
                case 0:
                    acc += 1;
                    break;
                case 1:
                case 2:
                    acc *= 3;
                    continue;
                case 4:
                    acc -= i;
                default:
                    acc ^= i;
            }
            acc += switch (i % 4) {
                case 0 -> 7;
                case 1 -> {
                    int s = 0;
                    for (int k = 0; k < i % 10; k++) {
                        s += k;
                    }
                    yield s;
                }
                default -> -1;
            };
            // sparse keys: lookupswitch
            switch (i) {
                case 10, 1_000, 100_000 -> acc += 11;
                case 5_000 -> acc *= 2;
                default -> { }
            }
        }
        return acc;
    }

    static int stringSwitchInLoop(int n) {
        String[] words = {"alpha", "beta", "gamma", "delta", "Aa", "BB"};
        int score = 0;
        for (int i = 0; i < n; i++) {
            switch (words[i % words.length]) {
                case "alpha" -> score += 1;
                case "beta" -> score += 2;
                case "Aa" -> score += 3;
                case "BB" -> score += 4;
                default -> score -= 1;
            }
        }
        return score;
    }

    sealed interface Shape permits Circle, Square, Rect {
    }

    record Circle(int r) implements Shape {
    }

    record Square(int s) implements Shape {
    }

    record Rect(int w, int h) implements Shape {
    }

    static long patternSwitchInLoop(int n) {
        long area = 0;
        for (int i = 0; i < n; i++) {
            Shape s = switch (i % 3) {
                case 0 -> new Circle(i % 10);
                case 1 -> new Square(i % 7);
                default -> new Rect(i % 5, i % 11);
            };
            area += switch (s) {
                case Circle c when c.r() == 0 -> 0;
                case Circle c -> 3L * c.r() * c.r();
                case Square q -> (long) q.s() * q.s();
                case Rect(int w, int h) -> (long) w * h;
            };
        }
        return area;
    }

    static long collatzSteps(int limit) {
        long total = 0;
        for (int start = 1; start <= limit; start++) {
            long x = start;
            do {
                x = (x & 1) == 0 ? x / 2 : 3 * x + 1;
                total++;
            } while (x != 1);
        }
        return total;
    }

    static int whileTrueBreak(int n) {
        int i = 0;
        int x = 1;
        while (true) {
            x = x * 31 + i;
            if (++i == n) {
                break;
            }
        }
        return x;
    }

    static long forEachIterable() {
        List<Integer> xs = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            xs.add(i * 7 % 1_000);
        }
        long s = 0;
        for (int x : xs) {
            s += x;
        }
        return s;
    }

    static long iteratorLoop() {
        List<String> xs = new ArrayList<>(List.of("a", "bb", "ccc", "dddd", "eeeee"));
        for (int i = 0; i < 10; i++) {
            xs.addAll(List.copyOf(xs));
            if (xs.size() > 2_000) {
                break;
            }
        }
        long total = 0;
        for (Iterator<String> it = xs.iterator(); it.hasNext(); ) {
            String s = it.next();
            if (s.length() % 2 == 0) {
                it.remove();
            } else {
                total += s.length();
            }
        }
        return total * 31 + xs.size();
    }

    static long lambdas() {
        IntUnaryOperator op = x -> {
            int s = 0;
            for (int i = 0; i < x; i++) {
                s += i % 3 == 0 ? i : -1;
            }
            return s;
        };
        Supplier<Long> nested = () -> {
            long t = 0;
            for (int i = 0; i < 100; i++) {
                t += op.applyAsInt(i);
            }
            return t;
        };
        Runnable[] cells = new Runnable[1];
        long[] box = {0};
        cells[0] = () -> {
            int k = 0;
            while (k < 500) {
                box[0] += k++;
            }
        };
        cells[0].run();
        return nested.get() + box[0];
    }

    static int digitSum(int x) {
        int s = 0;
        while (x > 0) {
            s += x % 10;
            x /= 10;
        }
        return s;
    }

    private static final Object LOCK = new Object();

    static long synchronizedLoop() {
        long acc = 0;
        for (int i = 0; i < 100; i++) {
            synchronized (LOCK) {
                for (int j = 0; j < 100; j++) {
                    acc += (long) i * j;
                    if (j == i) {
                        break;
                    }
                }
            }
        }
        synchronized (LOCK) {
            int k = 0;
            while (k < 1000) {
                acc ^= k++;
            }
        }
        return acc;
    }

    /** A loop in a static initializer (it runs inside class initialization, where a virtual thread is pinned). */
    static final class CrcTable {
        static final int[] TABLE = new int[256];

        static {
            for (int i = 0; i < 256; i++) {
                int c = i;
                for (int k = 0; k < 8; k++) {
                    c = (c >>> 1) ^ (0xEDB88320 & -(c & 1));
                }
                TABLE[i] = c;
            }
        }

        private CrcTable() {
        }
    }

    /** A loop in an enum's constructor, run by the enum's static initializer. */
    enum Weight {
        LIGHT(3), HEAVY(300);

        final long squares;

        Weight(int n) {
            long s = 0;
            for (int i = 0; i < n; i++) {
                s += (long) i * i;
            }
            squares = s;
        }
    }

    /** Loops in an interface's default and static methods. */
    interface Summer {
        default int sum(int n) {
            int s = 0;
            for (int i = 0; i < n; i++) {
                s += i;
            }
            return s;
        }

        static int twice(int n) {
            int s = 0;
            while (n-- > 0) {
                s += 2;
            }
            return s;
        }
    }

    /** A loop in a record's compact constructor (it reassigns the parameters). */
    record Span(int lo, int hi) {
        Span {
            while (lo > hi) {
                int t = lo;
                lo = hi;
                hi = t;
            }
        }

        int length() {
            int n = 0;
            for (int i = lo; i < hi; i++) {
                n++;
            }
            return n;
        }
    }

    /** A loop in an instance initializer block (copied into the constructor after super()). */
    static final class Initialized {
        int field;

        {
            for (int i = 0; i < 10; i++) {
                field += i;
            }
        }
    }

    static synchronized int synchronizedMethod(int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            s ^= i * 31;
        }
        return s;
    }

    /**
     * Loops inside switch expressions that are arguments of a constructor and of a
     * call: the back-edges' frames carry the uninitialized object and the earlier
     * arguments on the operand stack.
     */
    static String loopInArgumentOfNew(String key, Object o) {
        Base b = new Base(switch (key) {
            case "a" -> {
                int s = 0;
                for (int i = 0; i < 10; i++) {
                    s += i;
                }
                yield s;
            }
            case "b" -> {
                int s = 1;
                do {
                    s *= 2;
                } while (s < 100);
                yield s;
            }
            default -> -1;
        });
        return b.value + "," + Math.addExact(1, switch (o) {
            case Integer i when i > 3 -> {
                int s = 0;
                for (int k = 0; k < i; k++) {
                    s += k;
                }
                yield s;
            }
            case Integer i -> i;
            case String str when str.length() > 2 -> {
                int n = 0;
                for (char ch : str.toCharArray()) {
                    n += ch;
                }
                yield n;
            }
            default -> 0;
        });
    }

    /** Loops in a constructor, after super(). */
    static final class Accumulator {
        final long total;

        Accumulator(int n) {
            long t = 0;
            for (int i = 0; i < n; i++) {
                t += (long) i * i;
            }
            int j = n;
            while (j > 0) {
                t ^= j;
                j -= 3;
            }
            total = t;
        }
    }

    static class Base {
        final long value;

        Base(long value) {
            this.value = value;
        }
    }

    /** A loop before super(...) (flexible constructor bodies, Java 25): 'this' is uninitialized there. */
    static final class Prologue extends Base {
        Prologue(int n) {
            long s = 0;
            for (int i = 0; i < n; i++) {
                s += i % 7;
            }
            super(s * 2);
        }
    }

    static int sieve(int n) {
        boolean[] composite = new boolean[n + 1];
        int count = 0;
        for (int i = 2; i <= n; i++) {
            if (!composite[i]) {
                count++;
                for (long j = (long) i * i; j <= n; j += i) {
                    composite[(int) j] = true;
                }
            }
        }
        return count;
    }

    static long longLoop(long n) {
        long s = 0;
        for (long i = 0; i < n; i++) {
            s += i ^ (i >>> 3);
        }
        return s;
    }

    static long nestedWhile(int n) {
        long s = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j < n) {
                s += (i * 31L) ^ j;
                j += 2;
            }
            i++;
        }
        return s;
    }

    /** Loops compiled by kotlinc: instrumented when the agent includes kotlin.**. */
    static String kotlinStdlib() {
        int[] a = data(5_000, 9);
        List<Integer> sorted = kotlin.collections.CollectionsKt.sorted(kotlin.collections.ArraysKt.toList(a));
        int sum = kotlin.collections.ArraysKt.sum(a);
        List<Integer> distinct = kotlin.collections.ArraysKt.distinct(new int[] {3, 1, 3, 2, 1, 5});
        String rep = kotlin.text.StringsKt.repeat("ab", 7);
        CharSequence rev = kotlin.text.StringsKt.reversed((CharSequence) "verdant agent");
        return sorted.hashCode() + ":" + sum + ":" + distinct + ":" + rep + ":" + rev;
    }

    static long stepTwo(int n) {
        long s = 0;
        for (int i = 0; i < n; i += 2) {
            s += i;
        }
        return s;
    }

    static long inclusive(int n) {
        long s = 0;
        for (int i = 0; i <= n; i++) {
            s += i;
        }
        return s;
    }

    static long countDown(int[] a) {
        long s = 0;
        for (int i = a.length - 1; i >= 0; i--) {
            s = s * 31 + a[i];
        }
        return s;
    }

    static long spinUntil(int n) {
        int i = 0;
        for (;;) {
            if (i++ >= n) {
                return i;
            }
        }
    }
}
