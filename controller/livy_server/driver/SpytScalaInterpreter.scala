// The Scala REPL of a Livy session's driver host (spyt_driver.py), called
// through py4j. One instance per session: start() builds the compiler (it needs
// no SparkSession, so it may run while Spark starts), bind() then hands it the
// session; execute() is serialised, interrupt() may be called from any thread.
//
// The interpreter is class-based and writes its classes to `outputDir`, the
// SparkConf's spark.repl.class.outputDir, from where executors fetch them.
// `spark` and `sc` are bound @transient so that closures never serialise them.
package spyt.livy

import java.io.{ByteArrayOutputStream, File, OutputStreamWriter, PrintStream, PrintWriter}
import java.net.URLClassLoader
import java.nio.charset.StandardCharsets.UTF_8

import scala.collection.mutable.ArrayBuffer
import scala.tools.nsc.Settings
import scala.tools.nsc.interpreter.{IMain, Results}

import org.apache.spark.sql.SparkSession
import org.apache.spark.util.MutableURLClassLoader

/** One statement's outcome: status "ok" with text, or "error" with ename/evalue/traceback. */
final class ScalaResult(val status: String, val text: String, val ename: String, val evalue: String,
                        val traceback: Array[String])

object ScalaResult {
  def ok(text: String): ScalaResult = new ScalaResult("ok", text, null, null, Array.empty)

  def error(evalue: String, traceback: Seq[String]): ScalaResult =
    new ScalaResult("error", null, "Error", evalue, traceback.toArray)

  /** A REPL failure as Livy reports it: the first line is the value, the rest (newlines kept) the traceback. */
  def fromReplOutput(output: String): ScalaResult = {
    val lines = output.split("(?<=\n)").toSeq
    val first = lines.headOption.map(_.trim).filter(_.nonEmpty).getOrElse("unknown error")
    error(first, lines.drop(1))
  }
}

class SpytScalaInterpreter(outputDir: String) {
  private val buffer = new ByteArrayOutputStream()
  private val console = new PrintStream(buffer, true, "UTF-8")
  private val replOut = new PrintWriter(new OutputStreamWriter(buffer, UTF_8), true)
  private val runningLock = new Object
  private var running: Thread = null
  @volatile private var intp: IMain = null
  private var spark: SparkSession = null

  /** Builds the compiler and declares spark, sc and spark-shell's imports; throws with the
   *  REPL's output on failure. Needs no SparkSession: the SparkContext may still be starting. */
  def start(): Unit = synchronized {
    val began = System.nanoTime()
    val parent = Thread.currentThread().getContextClassLoader
    val settings = new Settings()
    settings.processArguments(List("-Yrepl-class-based", "-Yrepl-outdir", outputDir), true)
    settings.usejavacp.value = true
    settings.embeddedDefaults(parent)
    settings.classpath.value = jarsOf(parent).mkString(File.pathSeparator)
    exposeClassesTo(parent) // before the first line: each REPL class must have one defining loader
    val repl = new SessionIMain(settings, replOut)
    repl.initializeSynchronous()
    intp = repl
    val compilerReady = System.nanoTime()
    withReplLoader {
      declareSession(repl)
    }
    System.err.println(f"spyt-repl: compiler ready in ${(compilerReady - began) / 1e9}%.1fs, " +
      f"spark, sc and imports declared in ${(System.nanoTime() - compilerReady) / 1e9}%.1fs")
  }

  /** Gives `spark` and `sc` their values (after start()). */
  def bind(session: SparkSession): Unit = synchronized {
    require(intp != null, "the Scala interpreter is not started")
    val cls = Class.forName(SpytScalaInterpreter.bindingsObject + "$", true, intp.classLoader)
    val module = cls.getField("MODULE$").get(null)
    cls.getMethod("spark_$eq", classOf[SparkSession]).invoke(module, session)
    cls.getMethod("sc_$eq", classOf[org.apache.spark.SparkContext]).invoke(module, session.sparkContext)
    spark = session
  }

  /** Makes the driver's own class loader (that of Spark's threads, e.g. those that
   *  deserialise task results) read the REPL's classes from outputDir. The REPL's loader
   *  asks its parent first, so from then on that loader defines every REPL class. */
  private def exposeClassesTo(loader: ClassLoader): Unit = {
    val mutable = Iterator.iterate(loader)(_.getParent).takeWhile(_ != null).collectFirst {
      case m: MutableURLClassLoader => m
    }
    mutable match {
      case Some(m) => m.addURL(new File(outputDir).getAbsoluteFile.toURI.toURL)
      case None => System.err.println(s"spyt-repl: warning: no MutableURLClassLoader above $loader: " +
        "results holding REPL-defined classes will not deserialise on the driver")
    }
  }

  /** Declares `spark` and `sc` (@transient lazy, so that they can be declared before the
   *  session exists and are read at first use, after bind()) and spark-shell's imports, in
   *  two compiler runs (IMain.bind would take two per name). The values come from an object
   *  compiled into outputDir, so on executors, where it is never set, they are null. */
  private def declareSession(repl: SessionIMain): Unit = {
    val holder = SpytScalaInterpreter.bindingsObject
    if (!repl.compileString(s"object $holder { @volatile var spark: ${classOf[SparkSession].getName} = null; " +
                            "@volatile var sc: org.apache.spark.SparkContext = null }")) {
      throw new IllegalStateException(s"the Scala interpreter failed to start: ${takeOutput()}")
    }
    val imports = SpytScalaInterpreter.shellImports.map(i => s"import $i")
    repl.declaring = true
    try {
      quietly(repl.interpret((Seq(s"@transient lazy val spark = $holder.spark",
        s"@transient lazy val sc = $holder.sc") ++ imports).mkString("\n")))
    } finally {
      repl.declaring = false
    }
  }

  /** Runs one statement in Spark job group `jobGroup`, line by line as Livy does. */
  def execute(code: String, jobGroup: String): ScalaResult = synchronized {
    require(spark != null, "the Scala interpreter is not bound to a SparkSession")
    spark.sparkContext.setJobGroup(jobGroup, s"Livy statement $jobGroup", true)
    runningLock.synchronized { running = Thread.currentThread() }
    try {
      withReplLoader(runChunks(code.trim.split("\n").toList))
    } finally {
      runningLock.synchronized {
        running = null
        Thread.interrupted() // an interrupt() that came late must not hit the next statement
      }
    }
  }

  /** Interrupts the statement in progress, if any (a cancel that Spark's job group cannot reach). */
  def interrupt(): Boolean = runningLock.synchronized {
    if (running != null) running.interrupt()
    running != null
  }

  def close(): Unit = synchronized {
    if (intp != null) {
      intp.close()
      intp = null
    }
  }

  private def runChunks(lines: List[String]): ScalaResult = {
    val text = new StringBuilder
    var pending: String = null
    var rest = lines
    while (rest.nonEmpty) {
      val chunk = if (pending == null) rest.head else pending + "\n" + rest.head
      rest = rest.tail
      if (SpytScalaInterpreter.continuesOnNextLine(rest)) {
        pending = chunk
      } else {
        val (result, output) = interpretCaptured(chunk)
        result match {
          case Results.Success =>
            text ++= output
            pending = null
          case Results.Incomplete => pending = chunk
          case Results.Error => return ScalaResult.fromReplOutput(output)
        }
      }
    }
    if (pending != null && !SpytScalaInterpreter.onlyComments(pending)) {
      ScalaResult.error("incomplete statement", Nil)
    } else {
      ScalaResult.ok(text.toString)
    }
  }

  private def interpretCaptured(chunk: String): (Results.Result, String) = {
    val result = scala.Console.withOut(console)(intp.interpret(chunk))
    (result, takeOutput())
  }

  private def takeOutput(): String = {
    replOut.flush()
    console.flush()
    val text = buffer.toString("UTF-8")
    buffer.reset()
    text
  }

  private def quietly(run: => Results.Result): Unit = {
    val result = scala.Console.withOut(console)(intp.beQuietDuring(run))
    val output = takeOutput()
    if (result != Results.Success) {
      throw new IllegalStateException(s"the Scala interpreter failed to start: $output")
    }
  }

  private def withReplLoader[T](body: => T): T = {
    val thread = Thread.currentThread()
    val saved = thread.getContextClassLoader
    thread.setContextClassLoader(intp.classLoader)
    try body finally thread.setContextClassLoader(saved)
  }

  /** Local jar files of the class loaders from `loader` up: the session's jars (spark.jars) added by spark-submit. */
  private def jarsOf(loader: ClassLoader): Seq[String] = {
    val jars = ArrayBuffer[String]()
    var current = loader
    while (current != null) {
      current match {
        case urls: URLClassLoader =>
          jars ++= urls.getURLs.filter(_.getProtocol == "file").map(u => new File(u.toURI).getPath)
            .filter(p => new File(p).isFile && !p.contains("scala-reflect") && !p.contains("scala-compiler"))
        case _ =>
      }
      current = current.getParent
    }
    jars.distinct
  }
}

/** IMain records each import with the members it brings, typing a target that is not an object
 *  (IMain.typeOfExpression) by compiling a line. For `import spark.sql` and `import spark.implicits._`
 *  those are several nested compiler runs, a third of the interpreter's start. While `declaring`,
 *  this answers them as those runs end up doing: SparkSession for `spark`, no type for
 *  `spark.implicits` (so that import records no names, as before). */
private final class SessionIMain(settings: Settings, out: PrintWriter) extends IMain(settings, out) {
  @volatile var declaring = false

  override def typeOfExpression(expr: String, silent: Boolean): global.Type = expr match {
    case "spark" if declaring => global.rootMirror.getRequiredClass(classOf[SparkSession].getName).tpe
    case "spark.implicits" if declaring => global.NoType
    case _ => super.typeOfExpression(expr, silent)
  }
}

object SpytScalaInterpreter {
  val bindingsObject = "spyt_livy_bindings"

  /** What spark-shell imports. */
  val shellImports: Seq[String] =
    Seq("org.apache.spark.SparkContext._", "spark.implicits._", "spark.sql", "org.apache.spark.sql.functions._")

  private val continuationStart =
    """^(\.[^.]|else\b|catch\b|finally\b|yield\b|match\b|with\b|extends\b).*""".r

  /** Whether the next non-blank line continues the current one (Scala's rule for a leading '.', else, ...). */
  def continuesOnNextLine(rest: List[String]): Boolean =
    rest.map(_.trim).find(_.nonEmpty).exists(line => continuationStart.pattern.matcher(line).matches())

  def onlyComments(code: String): Boolean =
    code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "").trim.isEmpty
}
