fn main() {
    println!("custseg");
}
