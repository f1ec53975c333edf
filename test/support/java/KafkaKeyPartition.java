// Where Kafka's own Java producer puts each key: java -cp '.kafka/libs/*' KafkaKeyPartition.java <partitions> <key>...
// prints "<key> <partition>" per key, from the kafka-clients jar's BuiltInPartitioner (murmur2),
// the partitioner of every Java client, the Strimzi Kafka Bridge and the Confluent REST Proxy.
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

public class KafkaKeyPartition {
  public static void main(String[] args) {
    int partitions = Integer.parseInt(args[0]);
    for (int i = 1; i < args.length; i++) {
      byte[] key = args[i].getBytes(StandardCharsets.UTF_8);
      System.out.println(args[i] + " " + BuiltInPartitioner.partitionForKey(key, partitions));
    }
  }
}
